// Node objects as input (`kubectl get nodes -o yaml`, also as `kind: List`): they define the cluster's
// nodes instead of the profile's `nodes:`. A Node object is what the cluster says, so it wins: with
// Node objects in the input they are the nodes, and a profile entry of the same name adds only what a
// Node does not say (podGateway). The profile's own node (nodeName) is the first Node object when the
// profile names none of them.
import type { Node } from 'kubernetes-types/core/v1';
import { ofKind, type AnyManifestObject, type ManifestObject } from '../manifest/manifest';
import { parseCIDR, parseIP, type IPFamily } from '../util/ip';
import { firstHost, type ClusterProfile, type NodeProfile } from './profile';
import { LABEL_ZONE } from './topology';

export interface NodeObjectNote {
  readonly subject: string;
  readonly field: string;
  readonly value: string;
  readonly reason: string;
}

/** The profile with the nodes the Node objects define; unchanged without Node objects. */
export function withNodeObjects(profile: ClusterProfile, objects: readonly AnyManifestObject[]): { profile: ClusterProfile; notes: NodeObjectNote[] } {
  const nodeObjects = ofKind(objects, 'Node');
  const notes: NodeObjectNote[] = [];
  if (nodeObjects.length === 0) return { profile, notes };
  const fromProfile = new Map(profile.nodes.map(n => [n.name, n]));
  const nodes: NodeProfile[] = [];
  for (const obj of nodeObjects) {
    const node = nodeOf(obj, profile.ipFamily, fromProfile.get(obj.name));
    if (!node) {
      notes.push({ subject: `Node/${obj.name}`, field: 'status.addresses', value: 'none', reason: 'the Node has no InternalIP or ExternalIP address; NAT Lens cannot place it and leaves it out' });
      continue;
    }
    if (nodes.some(n => n.name === node.name)) continue;
    nodes.push(node);
    notes.push({ subject: `Node/${node.name}`, field: 'node', value: `${node.ips.join(', ')}${node.podCIDR ? ` pods ${node.podCIDR}` : ''}${node.zone ? ` zone ${node.zone}` : ''}`, reason: `from the Node object in ${obj.fileName} (Node objects define the nodes; the profile's nodes: entries of the same name add only podGateway)` });
  }
  if (nodes.length === 0) return { profile, notes };
  for (const n of profile.nodes) {
    if (!nodes.some(m => m.name === n.name)) notes.push({ subject: `node ${n.name}`, field: 'profile nodes', value: 'not modelled', reason: 'the input has Node objects, and none of that name: the Node objects define the nodes' });
  }
  const self = nodes.find(n => n.name === profile.nodeName) ?? nodes[0]!;
  if (self.name !== profile.nodeName) notes.push({ subject: `node ${self.name}`, field: 'nodeName', value: self.name, reason: `the profile's node ${profile.nodeName} is not among the Node objects: the rules are generated for the first Node object` });
  return { profile: { ...profile, nodeName: self.name, nodeIPs: self.ips, nodes: [self, ...nodes.filter(n => n !== self)] }, notes };
}

/** The node a Node object describes: addresses InternalIP first, the pod CIDR of the family, zone, CPU, labels. */
function nodeOf(obj: ManifestObject<'Node'>, family: IPFamily, profileNode: NodeProfile | undefined): NodeProfile | null {
  const node: Node = obj.object;
  const addresses = node.status?.addresses ?? [];
  // kube-proxy's node IP: the first InternalIP of the family, else an ExternalIP (pkg/util/node GetNodeHostIPs)
  const ofType = (type: string) => addresses.filter(a => a?.type === type && parseIP(a.address ?? '')).map(a => a.address);
  const ips = [...new Set([...ofType('InternalIP'), ...ofType('ExternalIP')])].sort((a, b) => familyRank(a, family) - familyRank(b, family));
  if (ips.length === 0) return null;
  const cidrs = [...(node.spec?.podCIDRs ?? []), ...(node.spec?.podCIDR ? [node.spec.podCIDR] : [])];
  const podCIDR = cidrs.find(c => parseCIDR(c)?.ip.family === family) ?? null;
  const labels = Object.fromEntries(Object.entries(node.metadata?.labels ?? {}).map(([k, v]) => [k, String(v)]));
  const zone = labels[LABEL_ZONE];
  const cpu = milliCPU(node.status?.allocatable?.['cpu']);
  const gateway = profileNode?.podGateway;
  return {
    name: obj.name, ips, podCIDR,
    podGateway: gateway === 'none' ? 'none' : gateway && podCIDR && profileNode?.podCIDR === podCIDR ? gateway : podCIDR ? firstHost(podCIDR) : null,
    ...(zone ? { zone } : {}),
    ...(cpu !== undefined ? { allocatableMilliCPU: cpu } : {}),
    labels,
  };
}

/** Addresses of the profile's family first; the order within a family is the Node's. */
function familyRank(ip: string, family: IPFamily): number {
  return parseIP(ip)?.family === family ? 0 : 1;
}

/** A CPU quantity ("4", "3500m", "0.5") in millicores; undefined when it is not one. */
export function milliCPU(q: string | undefined): number | undefined {
  if (typeof q !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] === 'm' ? Math.round(Number(m[1])) : Math.round(Number(m[1]) * 1000);
}
