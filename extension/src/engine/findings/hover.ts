// Hover explanations for a Service's NAT-relevant fields, for this Service: a one-line summary,
// then details quoted from walks over the generated rules and from the model.
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import type { FieldPath, SourceRange } from '../manifest/source';
import { localReadyEndpointCounts, type ClusterModel, type ServiceEntry } from '../model/cluster';
import { defaultService, externallyAccessible } from '../model/service';
import { backendFor } from '../proxy/backends';
import { ipvsSettings } from '../proxy/ipvs/settings';
import { serviceFacts, serviceWalker, walkFact, type EntryFact, type EntryVia, type ServiceFacts } from '../facts/service';
import { entryLabel, entryLine, externalEntries, externalSummary, internalSummary, serviceSummary, topologyLines, topologySummary } from '../facts/render';
import { ANNOTATION_TOPOLOGY_AWARE_HINTS, ANNOTATION_TOPOLOGY_MODE } from '../model/topology';
import { skippedSentence } from '../facts/skipped';
import { EXTERNAL_CLIENT_IP, spareNodePodIP } from '../walk/choices';
import type { ReturningClient, WalkResult } from '../walk/walk';
import { serviceEntryOf } from './walks';
import { percent } from '../facts/vocabulary';
import { english } from '../i18n';

/** What a hover link asks the shell to do (the extension maps intents to its commands). */
export interface HoverLink {
  readonly intent: 'previewRules' | 'tracePacket' | 'debugCommands';
  readonly args: Record<string, unknown>;
}

export interface HoverContent {
  readonly range: SourceRange;
  readonly summary: string;
  /** Markdown paragraphs and bullet lists. */
  readonly details: readonly string[];
  readonly links: readonly HoverLink[];
}

const HOVER_FIELDS = new Set(['externalTrafficPolicy', 'internalTrafficPolicy', 'type', 'ports', 'sessionAffinity', 'sessionAffinityConfig',
  'loadBalancerSourceRanges', 'externalIPs', 'clusterIP', 'clusterIPs', 'healthCheckNodePort', 'allocateLoadBalancerNodePorts', 'trafficDistribution']);
/** Annotations with a hover: the topology mode (and the one it replaced). */
const HOVER_ANNOTATIONS = new Set([ANNOTATION_TOPOLOGY_MODE, ANNOTATION_TOPOLOGY_AWARE_HINTS]);


/** A hover bullet for one walk, rendered from its facts. */
function walkLine(label: string, r: WalkResult, via: EntryVia = 'clusterIP'): string {
  return entryLine(label, walkFact(r, via));
}

/** Session affinity, from two walks: where a client's next connection goes after each way its first one went. */
function affinityLine(label: string, returns: readonly ReturningClient[]): string {
  const reached = returns.filter(r => r.first.endpoint !== null);
  if (reached.length === 0) return `- ${label}: the first connection reaches no endpoint`;
  if (reached.every(r => r.again.endpoints.length === 1 && r.again.endpoints[0]!.endpoint === r.first.endpoint)) {
    return `- ${label}: the next connection goes to the endpoint the first one took (${reached.map(r => r.first.endpoint).join(' or ')}), with probability 1`;
  }
  const again = reached[0]!.again.endpoints;
  const spread = again.map(e => `${e.endpoint}${again.length > 1 ? ` ${percent(e.probability)}` : ''}`).join(', ');
  return `- ${label}: **does not stick**: the next connection goes to ${spread}, whichever endpoint the first one took`;
}

/** How each back end remembers a ClientIP-affinity client (proxier.go of each mode). */
const AFFINITY_MECHANISM: Record<ServiceFacts['semantics']['affinity'], (timeout: number) => string> = {
  // pkg/proxy/iptables/proxier.go writeServiceToEndpointRules / syncProxyRules: --rcheck --seconds --reap in KUBE-SVC,
  // --set in KUBE-SEP; the xt_recent module keeps ip_list_tot (default 100) addresses per list and drops the oldest
  recent: t => `kube-proxy records the choice with \`-m recent --set\` in the endpoint chain and checks it with \`--rcheck --seconds ${t} --reap\` before the random pick. \`--rcheck\` does not refresh the entry: the timer runs from the client's last *new* connection that was recorded (the \`--set\` in the endpoint chain), not from its last packet. The kernel's \`recent\` list keeps at most 100 addresses per endpoint (\`ip_list_tot\`): with more clients the oldest are evicted and their next connection is balanced afresh.`,
  // pkg/proxy/nftables/proxier.go: "update @affinity-… { ip saddr }" in the endpoint chain, a set with a timeout
  set: t => `kube-proxy records the client with \`update @affinity-… { ip saddr }\` in the endpoint chain (a set whose entries time out after ${t} s and are refreshed by each new connection that takes that endpoint) and checks \`ip saddr @affinity-… goto\` in the service chain before the random pick.`,
  // pkg/proxy/ipvs/proxier.go syncService: Flags |= persistent, Timeout = StickyMaxAgeSeconds
  'ipvs-persistence': t => `kube-proxy makes the virtual server persistent (\`-p ${t}\`): IPVS keeps a template per client address, refreshed while the client has connections, and sends its later connections to the same real server.`,
};

/** Where kube-proxy's other back ends answer differently from iptables mode (kubernetes/kubernetes pkg/proxy/nftables/proxier.go and pkg/proxy/ipvs/proxier.go). */
const MODE_NOTES: Partial<Record<ClusterModel['profile']['proxyMode'], string>> = {
  nftables: '*nftables mode* (the walks above ran on its rules): no NodePorts on 127.0.0.1; a connection to a ClusterIP port the Service does not have is REJECTed, and one to an unallocated address of the service CIDR is DROPped; load balancing is one `numgen random mod N` pick instead of a cascade of probabilities.',
  ipvs: '*IPVS mode* (the walks above ran through IPVS; where it was inferred from kernel source, the walk says so): Services are IPVS virtual servers bound on kube-ipvs0, so an unknown port of a ClusterIP is rejected by `KUBE-IPVS-FILTER`, there are no NodePorts on 127.0.0.1, a node without a local endpoint under externalTrafficPolicy Local falls back to the other nodes\' endpoints instead of dropping (unmasqueraded, so the reply does not come back through that node and the connection still fails), and scheduling follows the configured scheduler (rr by default).',
};

/**
 * Whether anything answers ARP for a ClusterIP: iptables and nftables mode bind it nowhere; IPVS mode
 * binds it on kube-ipvs0, and only strictARP (arp_ignore=1, arp_announce=2) keeps nodes from answering
 * for it (pkg/proxy/ipvs/proxier.go, NewProxier's strictARP sysctls).
 */
function clusterIPAddressNote(model: ClusterModel, facts: ServiceFacts): string {
  if (facts.semantics.addressBinding === 'rules-only') return 'The address exists only in kube-proxy\'s rules: nothing answers ARP for it.';
  return ipvsSettings(model.profile).strictARP
    ? 'IPVS binds the address on the dummy device `kube-ipvs0` of every node; with `strictARP` the nodes do not answer ARP for it.'
    : 'IPVS binds the address on the dummy device `kube-ipvs0` of every node, and without `strictARP` every node answers ARP for it on its other interfaces too (MetalLB and kube-vip in L2 mode require strictARP for that reason).';
}

export function hoverAt(file: ManifestFile, offset: number, model: ClusterModel): HoverContent | null {
  for (const obj of ofKind(file.objects, 'Service')) {
    const path = obj.pathAt(offset);
    if (path && path.length === 1 && path[0] === 'kind') {
      const entry = serviceEntryOf(model, obj);
      return entry ? serviceHover(obj, entry, model) : null;
    }
    if (path && path[0] === 'metadata' && path[1] === 'annotations' && typeof path[2] === 'string' && HOVER_ANNOTATIONS.has(path[2])) {
      const entry = serviceEntryOf(model, obj);
      return entry ? topologyHover(obj, entry, model, obj.rangeOf(path.slice(0, 3), 'key') ?? obj.range) : null;
    }
    if (!path || path[0] !== 'spec' || typeof path[1] !== 'string' || !HOVER_FIELDS.has(path[1])) continue;
    const entry = serviceEntryOf(model, obj);
    if (!entry) return null;
    return explain(obj, entry, path, model);
  }
  return null;
}

const LINKS = (obj: ManifestObject<'Service'>): HoverLink[] => {
  const service = `${obj.namespace}/${obj.name}`;
  return [
    { intent: 'previewRules', args: { uri: obj.fileName } },
    { intent: 'tracePacket', args: { uri: obj.fileName, service } },
    { intent: 'debugCommands', args: { uri: obj.fileName, service } },
  ];
};

/** The hover on `kind: Service`: the Service's summary and every way in, from its facts. */
export function serviceHover(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel): HoverContent {
  const facts = serviceFacts(entry, model);
  const range = obj.rangeOf(['kind'], 'key') ?? obj.range;
  const details = facts.entries.length
    ? ['Every way in, walked through the generated rules of each node:', facts.entries.map(e => entryLine(entryLabel(e), e)).join('\n')]
    : [];
  return { range, summary: serviceSummary(facts), details, links: LINKS(obj) };
}

/** The hover on trafficDistribution and the topology-mode annotation: per node, what kube-proxy keeps. */
function topologyHover(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel, range: SourceRange): HoverContent {
  const facts = serviceFacts(entry, model);
  if (entry.skipped) return { range, summary: skippedSentence(entry.skipped), details: [], links: LINKS(obj) };
  return { range, summary: topologySummary(facts), details: topologyLines(facts), links: LINKS(obj) };
}

/** A hover as markdown text: the bold summary, then its paragraphs (what `natlens explain` prints). */
export function hoverMarkdown(content: HoverContent): string {
  return [`**${content.summary}**`, ...content.details].join('\n\n') + '\n';
}

function explain(obj: ManifestObject<'Service'>, entry: ServiceEntry, path: FieldPath, model: ClusterModel): HoverContent | null {
  const field = path[1] as string;
  const range = obj.rangeOf(path.slice(0, 2), 'key') ?? obj.range;
  const svc = entry.service;
  const d = defaultService(svc);
  const key = `${obj.namespace}/${obj.name}`;
  const walker = serviceWalker(entry, model);
  const sp = entry.ports[0]?.info;
  const links = LINKS(obj);
  const facts = serviceFacts(entry, model);
  const modeNote = MODE_NOTES[model.profile.proxyMode];
  const make = (summary: string, details: string[]): HoverContent => ({ range, summary, details: modeNote ? [...details, modeNote] : details, links });
  const nodesList = model.profile.nodes.map(n => n.name).join(', ');

  // kube-proxy never sees a Service its label filter hides: every field says so instead of kube-proxy's answer
  if (entry.skipped?.kind === 'service-proxy-name' || entry.skipped?.kind === 'headless-label') {
    return make(skippedSentence(entry.skipped), [
      `The rules NAT Lens generates do not contain it on any node; connections to ${d.clusterIPs[0] ?? 'its addresses'} are handled by whatever implements that proxy name (or by nothing).`,
    ]);
  }
  if (d.headless && (field === 'clusterIP' || field === 'clusterIPs')) {
    return make(skippedSentence({ kind: 'headless' }), [
      `DNS returns the pod addresses directly and clients connect to a pod itself: the pod sees the client's own address. ` +
      `No load balancing happens in the kernel; spreading is up to the client's DNS resolver.`,
    ]);
  }
  if (!sp) {
    return make(skippedSentence(entry.skipped ?? { kind: 'no-cluster-ip' }), []);
  }

  switch (field) {
    case 'trafficDistribution':
      return topologyHover(obj, entry, model, range);
    case 'externalTrafficPolicy':
    case 'type': {
      if (!externallyAccessible(svc)) {
        const fromPod = model.profile.nodes[0] ? walker.trace({ source: { kind: 'node', node: model.profile.nodes[0].name }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
        return make(`${d.type}: reachable only at ${sp.clusterIP}:${sp.port} inside the cluster; no NodePort, nothing external.`, [
          `kube-proxy DNATs ${sp.clusterIP}:${sp.port} on the client's own node. Pods keep their source address; traffic from a node's own address is masqueraded.`,
          ...(fromPod ? [walkLine(`From node ${model.profile.nodes[0]!.name} itself`, fromPod)] : []),
        ]);
      }
      const local = d.externalTrafficPolicy === 'Local';
      const viaText = (e: EntryFact) => e.via === 'nodePort' ? `NodePort ${sp.nodePort}` : e.via === 'loadBalancer' ? `load balancer IP ${e.request.dst}` : `external IP ${e.request.dst}`;
      const external = externalEntries(facts);
      const lines = external.map(e => entryLine(`External client ${EXTERNAL_CLIENT_IP} via ${viaText(e)} on ${e.node}`, e));
      const details: string[] = lines.length
        ? [`What kube-proxy's rules do with a new connection (walked through the generated rules of each node):`, lines.join('\n')]
        : [];
      if (facts.proxiedIngress.length) {
        details.push(`The load balancer ${facts.proxiedIngress.join(', ')} has \`ipMode: Proxy\`: kube-proxy writes no rules for that address, so the load balancer proxies connections to the nodes itself and the pods see the load balancer's address${sp.nodePort ? ', arriving on the node port as above' : ''}.`);
      }
      const vipInside = facts.entries.filter(e => e.client === 'pod' && e.via === 'loadBalancer');
      if (vipInside.length) {
        details.push(`In-cluster clients of the load-balancer IP never reach the load balancer: kube-proxy captures ${sp.loadBalancerVIPs.join(', ')} on their own node (that is what \`ipMode: VIP\` means; \`ipMode: Proxy\` turns it off):`);
        details.push(vipInside.map(e => entryLine(`A pod on ${e.node} → ${e.address}`, e)).join('\n'));
      }
      if (!local) {
        details.push(`The mark for masquerade is set in \`${facts.chains!.external}\` before an endpoint is chosen, so the connection is SNATed **even when the chosen pod is on the node it entered**. ` +
          'Tutorials that draw "no SNAT when the pod is on the receiving node" describe Cilium\'s kube-proxy replacement, not kube-proxy. The address the pod sees is the one of the interface the packet leaves by: a remote pod sees the node address; a local pod sees the pod-side gateway where the CNI has one.');
        return make(externalSummary(facts, 'Cluster'), details);
      }
      const first = model.profile.nodes[0];
      const entryAddress = first ? (sp.nodePort ? walker.network.primaryIP(first) : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? sp.clusterIP) : '';
      const dport = sp.nodePort || sp.port;
      const proto = sp.protocol.toLowerCase() as 'tcp';
      const podIP = first ? spareNodePodIP(walker.network, first.name) : null;
      const pod = first && podIP ? walker.trace({ source: { kind: 'pod', ip: podIP, node: first.name }, dst: entryAddress, dport, proto }) : null;
      const host = first ? walker.trace({ source: { kind: 'node', node: first.name }, dst: entryAddress, dport, proto }) : null;
      // proxier.go writes the "pod traffic" short-circuit only when the local-traffic detector is implemented
      details.push(facts.localTrafficDetector
        ? 'Inside the cluster the policy is short-circuited for pods and for the node itself (the `pod traffic` and `LOCAL traffic` rules):'
        : 'kube-proxy has no local-traffic detector here (no `clusterCIDR`), so it writes no `pod traffic` short-circuit: a pod connecting to the node port is treated like an external client, and on a node without a local endpoint it is dropped. Only the node itself (`LOCAL traffic`) is short-circuited:');
      if (pod) details.push(walkLine(`A pod on ${first!.name}`, pod, sp.nodePort ? 'nodePort' : 'loadBalancer'));
      if (host) details.push(walkLine(`Node ${first!.name} itself`, host, sp.nodePort ? 'nodePort' : 'loadBalancer'));
      if (d.type === 'LoadBalancer') {
        const counts = model.profile.nodes.map(n => `${n.name}: ${localReadyEndpointCounts(model, n.name).get(key) ?? 0} ready`);
        details.push(`Health check node port ${svc.spec?.healthCheckNodePort ?? '(allocated by the API server)'} answers 200 on nodes with a ready local endpoint and 503 elsewhere (${counts.join(', ')}), so the load balancer can skip the nodes without one.`);
      }
      return make(externalSummary(facts, 'Local'), details);
    }
    case 'internalTrafficPolicy': {
      const lines = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP').map(e => entryLine(`From node ${e.node}`, e));
      return make(internalSummary(facts, d.internalTrafficPolicy === 'Local'), [
        'Connections to the ClusterIP, as walked from each node:', lines.join('\n'),
        'internalTrafficPolicy never changes masquerading; it only narrows the endpoints (NodePort and load-balancer traffic keep using externalTrafficPolicy).',
      ]);
    }
    case 'ports': {
      const index = typeof path[2] === 'number' ? path[2] : 0;
      const port = entry.ports.find(p => p.info.portIndex === index) ?? entry.ports[0]!;
      const info = port.info;
      const chains = backendFor(model.profile.proxyMode).semantics.chains(info);
      const eps = port.endpoints.map(e => `- ${e.key}${e.nodeName ? ` on ${e.nodeName}` : ''}${e.ready ? '' : e.serving && e.terminating ? ' (terminating, serving)' : ' (not ready)'} — from ${e.origin === 'derived' ? e.from : `${e.origin} ${e.from}`}`);
      const targets = [...new Set(port.endpoints.map(e => e.port))];
      return make(`${info.clusterIP}:${info.port}/${info.protocol} → targetPort ${info.targetPort} → ${targets.length ? `endpoint port ${targets.join(', ')}` : 'no endpoints'}${info.nodePort ? `; NodePort ${info.nodePort} on every node` : ''}`, [
        `kube-proxy never reads targetPort: the DNAT port comes from the EndpointSlice port named ${JSON.stringify(info.portName)} (${info.protocol}). Decided in \`${chains.service}\`${info.nodePort || info.loadBalancerVIPs.length || info.externalIPs.length ? `; external traffic in \`${chains.external}\`` : ''}.`,
        port.endpoints.length ? `Endpoints (${port.endpointOrigin === 'derived' ? 'derived from the workloads in the workspace' : port.endpointOrigin}):\n${eps.join('\n')}` : 'No endpoints: connections are REJECTed ("connection refused").',
      ]);
    }
    case 'sessionAffinity':
    case 'sessionAffinityConfig': {
      if (d.sessionAffinity !== 'ClientIP') {
        // pkg/proxy/ipvs/proxier.go syncService: the virtual server's scheduler (ipvs.scheduler, rr by default) picks the real server
        return facts.semantics.loadBalancing === 'ipvs-scheduler'
          ? make(english.hoverAffinityNoneScheduler({ scheduler: ipvsSettings(model.profile).scheduler }), [english.hoverAffinityNoneSchedulerDetail({ address: `${sp.clusterIP}:${sp.port}` })])
          : make('sessionAffinity: None — every new connection picks an endpoint at random.', [`Each endpoint of ${sp.clusterIP}:${sp.port} has probability 1/n per connection; long-lived connections are never rebalanced.`]);
      }
      const proto = sp.protocol.toLowerCase() as 'tcp';
      const [a, b] = model.profile.nodes;
      const podIP = a ? spareNodePodIP(walker.network, a.name) : null;
      const walks: string[] = [];
      if (a && podIP) walks.push(affinityLine(`A pod on ${a.name} (${podIP}) → ${sp.clusterIP}:${sp.port}, twice`, walker.returning({ source: { kind: 'pod', ip: podIP, node: a.name }, dst: sp.clusterIP, dport: sp.port, proto })));
      if (a && b && sp.nodePort) {
        const first = { source: { kind: 'external' as const, ip: EXTERNAL_CLIENT_IP }, entryNode: a.name, dst: walker.network.primaryIP(a), dport: sp.nodePort, proto };
        walks.push(affinityLine(`External client ${EXTERNAL_CLIENT_IP} via NodePort ${sp.nodePort} on ${a.name}, then on ${b.name}`,
          walker.returning(first, { ...first, sport: 40001, entryNode: b.name, dst: walker.network.primaryIP(b) })));
      }
      return make(`sessionAffinity: ClientIP — a client address sticks to one endpoint for up to ${d.sessionAffinityTimeout} s after its last recorded new connection, on each node separately.`, [
        `${AFFINITY_MECHANISM[facts.semantics.affinity](sp.stickyMaxAgeSeconds)} The record is per node and keyed on the source address only.`,
        ...(walks.length ? ['A client connecting twice within the timeout, walked through the generated rules with what the first connection recorded:', walks.join('\n')] : []),
        'So: behind SNAT (a proxying load balancer, a NAT gateway) many clients share one address and all stick to one endpoint; with externalTrafficPolicy Cluster, a client sent through different nodes can stick to a different endpoint on each.',
      ]);
    }
    case 'loadBalancerSourceRanges': {
      if (d.type !== 'LoadBalancer' || sp.loadBalancerVIPs.length === 0) {
        return make('loadBalancerSourceRanges applies only to the load balancer IP of a LoadBalancer Service with an ingress IP in its status.', ['Without one, kube-proxy writes no firewall chain.']);
      }
      const vip = sp.loadBalancerVIPs[0]!;
      const node = model.profile.nodes[0]!;
      const blocked = walker.trace({ source: { kind: 'external', ip: '192.0.2.123' }, entryNode: node.name, dst: vip, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' });
      const viaNodePort = sp.nodePort ? walker.trace({ source: { kind: 'external', ip: '192.0.2.123' }, entryNode: node.name, dst: walker.network.primaryIP(node), dport: sp.nodePort, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
      return make(`loadBalancerSourceRanges: only ${sp.loadBalancerSourceRanges.join(', ')} may reach ${vip}:${sp.port}; the rest is dropped before DNAT.`, [
        `Before DNAT, \`${facts.chains!.sourceRanges}\` checks the source against the listed ranges, and \`${facts.chains!.sourceRangesDrop}\` drops anything else. This applies to pods too.`,
        walkLine(`192.0.2.123 (not listed) → ${vip}:${sp.port}`, blocked, 'loadBalancer'),
        ...(viaNodePort ? [walkLine(`192.0.2.123 → NodePort ${sp.nodePort} on ${node.name}`, viaNodePort, 'nodePort'), '**The node port is not protected**: kube-proxy never applies loadBalancerSourceRanges to it.'] : []),
      ]);
    }
    case 'externalIPs': {
      const node = model.profile.nodes[0]!;
      const ip = sp.externalIPs[0];
      const r = ip ? walker.trace({ source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: node.name, dst: ip, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }) : null;
      return make(`externalIPs: kube-proxy captures ${sp.externalIPs.join(', ') || 'these addresses'} port ${sp.port} on every node, for traffic from pods and nodes too.`, [
        'Routing those addresses to a node is up to you; kube-proxy only rewrites what arrives. externalTrafficPolicy applies to them, even on a ClusterIP Service.',
        ...(r ? [walkLine(`External client via ${node.name}`, r, 'externalIP')] : []),
        'Anyone allowed to set externalIPs can intercept traffic to any address (CVE-2020-8554); newer API servers warn that the field is deprecated.',
      ]);
    }
    case 'clusterIP':
    case 'clusterIPs': {
      const lines = facts.entries.filter(e => e.client === 'node' && e.via === 'clusterIP').map(e => entryLine(`From node ${e.node} itself`, e));
      return make(`ClusterIP ${sp.clusterIP}: DNATed on the client's own node to an endpoint; pods keep their source address.`, [
        clusterIPAddressNote(model, facts) + ' Traffic from outside the pod CIDR (nodes, host-network pods, routed outside clients) is masqueraded by the `! -s <clusterCIDR>` rule; a pod that reaches itself through the Service is masqueraded too (hairpin).',
        lines.join('\n'),
      ]);
    }
    case 'healthCheckNodePort': {
      const counts = model.profile.nodes.map(n => { const c = localReadyEndpointCounts(model, n.name).get(key) ?? 0; return `- ${n.name}: ${c} ready local endpoint${c === 1 ? '' : 's'} → HTTP ${c > 0 ? 200 : 503}`; });
      return make(`healthCheckNodePort ${svc.spec?.healthCheckNodePort ?? ''}: kube-proxy answers HTTP 200 on nodes with a ready local endpoint, 503 elsewhere.`, [
        counts.join('\n'),
        english.hoverHealthCheckRule({ chain: facts.semantics.healthCheckChain, mode: facts.mode }),
      ]);
    }
    case 'allocateLoadBalancerNodePorts':
      return make(svc.spec?.allocateLoadBalancerNodePorts === false
        ? 'allocateLoadBalancerNodePorts: false — no node ports: the load balancer must route to pod IPs (or to its VIP on the nodes).'
        : 'allocateLoadBalancerNodePorts: true — every port also gets a NodePort on every node.', [
        `Node ports already allocated are not freed when this turns false. ${sp.nodePort ? `This port has NodePort ${sp.nodePort}.` : 'This port has no NodePort.'} Nodes: ${nodesList}.`,
      ]);
    default:
      return null;
  }
}
