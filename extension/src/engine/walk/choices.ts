// What a user can sensibly trace for one Service: the sources (an outside client, a pod or the host
// on each node, an endpoint reaching itself) and the ways in (ClusterIP, each node's NodePort, the
// load-balancer and external IPs). Shared by the "Trace Packet" command, the preview and hovers.
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import type { TraceRequest, TraceSource } from './walk';
import { ClusterNetwork } from './network';
import { formatIP, offsetIP, parseCIDR } from '../util/ip';
import { english, type Messages } from '../i18n';

export interface SourceChoice {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
  readonly source: TraceSource;
}

export interface EntryChoice {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
  readonly dst: string;
  readonly dport: number;
  readonly entryNode?: string;
}

export const EXTERNAL_CLIENT_IP = '203.0.113.10';
/** An address on the internet for egress walks (example.com's). */
export const EGRESS_DESTINATION = '93.184.216.34';

/** An address in the node's pod CIDR that no known pod uses: "some pod on this node". */
export function spareNodePodIP(net: ClusterNetwork, nodeName: string): string | null {
  const node = net.node(nodeName);
  const c = node?.podCIDR ? parseCIDR(node.podCIDR) : null;
  if (!c) return null;
  for (let host = 200; host < 250; host++) {
    const ip = formatIP(offsetIP(c.ip, host));
    if (net.podNode(ip) === nodeName && !net.model.services.some(s => s.ports.some(p => p.endpoints.some(e => e.ip === ip)))) return ip;
  }
  return null;
}

export function sourceChoices(model: ClusterModel, service: ServiceEntry, portIndex = 0, m: Messages = english): SourceChoice[] {
  const net = new ClusterNetwork(model);
  const out: SourceChoice[] = [{
    id: 'external', label: m.choiceExternal({ ip: EXTERNAL_CLIENT_IP }), detail: m.choiceExternalDetail(),
    source: { kind: 'external', ip: EXTERNAL_CLIENT_IP },
  }];
  for (const node of model.profile.nodes) {
    const podIP = spareNodePodIP(net, node.name);
    if (podIP) out.push({ id: `pod:${node.name}`, label: m.choicePod({ node: node.name, ip: podIP }), detail: m.choicePodDetail(), source: { kind: 'pod', ip: podIP, node: node.name } });
    out.push({ id: `node:${node.name}`, label: m.choiceNode({ node: node.name, ip: net.primaryIP(node) }), detail: m.choiceNodeDetail(), source: { kind: 'node', node: node.name } });
  }
  const port = service.ports[portIndex];
  for (const ep of port?.endpoints ?? []) {
    if (!ep.nodeName || !net.node(ep.nodeName)) continue;
    out.push({ id: `self:${ep.ip}`, label: m.choiceSelf({ ip: ep.ip, node: ep.nodeName }), detail: m.choiceSelfDetail(), source: { kind: 'pod', ip: ep.ip, node: ep.nodeName } });
  }
  return out;
}

export function entryChoices(model: ClusterModel, service: ServiceEntry, portIndex = 0, m: Messages = english): EntryChoice[] {
  const net = new ClusterNetwork(model);
  const port = service.ports[portIndex];
  if (!port) return [];
  const sp = port.info;
  const out: EntryChoice[] = [{ id: 'clusterIP', label: m.choiceClusterIP({ address: `${sp.clusterIP}:${sp.port}` }), detail: m.choiceClusterIPDetail(), dst: sp.clusterIP, dport: sp.port }];
  if (sp.nodePort) for (const node of model.profile.nodes) {
    out.push({ id: `nodePort:${node.name}`, label: m.choiceNodePort({ port: sp.nodePort, node: node.name, ip: net.primaryIP(node) }), detail: m.choiceNodePortDetail(), dst: net.primaryIP(node), dport: sp.nodePort, entryNode: node.name });
  }
  for (const ip of sp.loadBalancerVIPs) for (const node of model.profile.nodes) {
    out.push({ id: `lb:${ip}:${node.name}`, label: m.choiceLoadBalancer({ address: `${ip}:${sp.port}`, node: node.name }), detail: m.choiceLoadBalancerDetail(), dst: ip, dport: sp.port, entryNode: node.name });
  }
  // egress: the CNI, not kube-proxy, decides the source (only simulated: nothing is sent anywhere)
  out.push({ id: 'egress', label: m.choiceEgress({ address: `${EGRESS_DESTINATION}:443` }), detail: m.choiceEgressDetail(), dst: EGRESS_DESTINATION, dport: 443 });
  for (const ip of sp.externalIPs) for (const node of model.profile.nodes) {
    out.push({ id: `externalIP:${ip}:${node.name}`, label: m.choiceExternalIP({ address: `${ip}:${sp.port}`, node: node.name }), detail: 'spec.externalIPs', dst: ip, dport: sp.port, entryNode: node.name });
  }
  return out;
}

export function requestFor(source: SourceChoice, entry: EntryChoice, proto: TraceRequest['proto']): TraceRequest {
  return { source: source.source, dst: entry.dst, dport: entry.dport, proto, ...(entry.entryNode ? { entryNode: entry.entryNode } : {}) };
}
