// Nodes that play the same part for one Service: no endpoint of it, no address of it, the same zone and
// the same shape of addresses. Their rules for the Service are the same up to the node's own names and
// addresses, and so are their walks; the facts walk one node of each class and give the others its
// results with their own names and addresses. A 10,000-node profile then walks a handful of classes
// plus the nodes that host endpoints, not 10,000 nodes.
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import type { NodeProfile } from '../model/profile';
import { nodePortCIDRs } from '../proxy/common';
import { canonicalIP, cidrContains, formatCIDR, parseCIDR, parseIP, type CIDR, type IP } from '../util/ip';
import { EGRESS_DESTINATION, EXTERNAL_CLIENT_IP, spareNodePodIP } from '../walk/choices';
import type { ClusterNetwork } from '../walk/network';

export interface NodeClass {
  /** In profile order; the first is walked. */
  readonly members: readonly NodeProfile[];
}

/** Every node its own class: what the grouping must agree with (the tests compare both). */
export function singletonClasses(model: ClusterModel): NodeClass[] {
  return model.profile.nodes.map(n => ({ members: [n] }));
}

/** Per network (its model) and Service: every port's facts ask. */
const classesOf = new WeakMap<ClusterNetwork, WeakMap<ServiceEntry, NodeClass[]>>();

/**
 * The classes of the profile's nodes for `entry`. A node is a class of its own when the Service can tell
 * it apart by more than its names and addresses: it hosts or is hinted for an endpoint, owns an address
 * a walk goes to (an endpoint, a Service address, the test client), is the profile's own node, or shares
 * an address with another node. The others are grouped by zone (CategorizeEndpoints) and by what the
 * rules and routes ask of each address (family, which nodePortAddresses hold it, cluster or pod CIDR).
 */
export function nodeClasses(entry: ServiceEntry, model: ClusterModel, net: ClusterNetwork): NodeClass[] {
  let known = classesOf.get(net);
  if (!known) classesOf.set(net, (known = new WeakMap()));
  let classes = known.get(entry);
  if (!classes) known.set(entry, (classes = groupNodes(entry, model, net)));
  return classes;
}

function groupNodes(entry: ServiceEntry, model: ClusterModel, net: ClusterNetwork): NodeClass[] {
  const profile = model.profile;
  const endpoints = entry.ports.flatMap(p => p.endpoints);
  const own = new Set<string>([profile.nodeName, ...endpoints.flatMap(ep => [ep.nodeName ?? '', ...ep.nodeHints])]);
  // an overlay device's address (a Calico tunnel address, a Cilium router IP) is not one renaming can derive
  for (const d of model.podNetwork?.devices ?? []) own.add(d.node);
  const destinations = [
    ...endpoints.map(ep => ep.ip), EXTERNAL_CLIENT_IP, EGRESS_DESTINATION,
    ...entry.ports.flatMap(p => [p.info.clusterIP, ...p.info.loadBalancerVIPs, ...p.info.externalIPs]),
  ];
  for (const ip of destinations) {
    const owner = net.nodeOwning(ip)?.name ?? (net.isPodAddress(ip) ? net.podNode(ip) : null);
    if (owner) own.add(owner);
  }
  const clusterCIDR = profile.clusterCIDR ? parseCIDR(profile.clusterCIDR) : null;
  const inCIDR = (c: CIDR | null, ip: IP | null) => c !== null && ip !== null && cidrContains(c, ip);
  const classes = new Map<string, NodeProfile[]>();
  const out: NodeClass[] = [];
  for (const node of profile.nodes) {
    const key = own.has(node.name) ? null : classKey(node, net, clusterCIDR, inCIDR);
    if (key === null) { out.push({ members: [node] }); continue; }
    const members = classes.get(key);
    if (members) { members.push(node); continue; }
    const created = [node];
    classes.set(key, created);
    out.push({ members: created });
  }
  return out;
}

/** What the rules and routes of one Service can see of a node besides its names and addresses; null: the node is a class of its own. */
function classKey(node: NodeProfile, net: ClusterNetwork, clusterCIDR: CIDR | null, inCIDR: (c: CIDR | null, ip: IP | null) => boolean): string | null {
  const gateway = node.podGateway && node.podGateway !== 'none' ? node.podGateway : null;
  if ([...node.ips, ...(gateway ? [gateway] : [])].some(ip => net.nodeOwning(ip) !== node)) return null;
  const { matchAll, cidrs } = nodePortCIDRs(net.model.profile, node);
  const podCIDR = node.podCIDR ? parseCIDR(node.podCIDR) : null;
  const primary = net.primaryIP(node);
  // a node's own addresses route to it before any pod CIDR is asked (ClusterNetwork.findRoute), and the
  // facts' walks model no CNI egress: whether an address is also a pod address does not matter here
  const address = (ip: string, i: number) => {
    const parsed = parseIP(ip);
    return [
      parsed?.family, canonicalIP(ip) === ip, node.ips.indexOf(ip) === i, ip === primary,
      cidrs.map(c => inCIDR(c, parsed)).join(''), inCIDR(clusterCIDR, parsed), inCIDR(podCIDR, parsed),
    ].join(' ');
  };
  const spare = sparePodIP(net, node);
  return [
    node.zone ?? '', matchAll, node.ips.map(address).join(','),
    podCIDR ? `${podCIDR.ip.family} ${podCIDR.prefix} ${formatCIDR(podCIDR) === node.podCIDR}` : '-',
    spare === null ? '-' : inCIDR(clusterCIDR, parseIP(spare)),
    node.podGateway === 'none' ? 'none' : gateway ? `${canonicalIP(gateway) === gateway} ${inCIDR(podCIDR, parseIP(gateway))} ${node.ips.includes(gateway)}` : '-',
  ].join('|');
}

const spares = new WeakMap<ClusterNetwork, Map<string, string | null>>();

/** spareNodePodIP, once per node and network: classes, requests and renamings all ask for it. */
export function sparePodIP(net: ClusterNetwork, node: NodeProfile): string | null {
  let known = spares.get(net);
  if (!known) spares.set(net, (known = new Map()));
  let ip = known.get(node.name);
  if (ip === undefined) known.set(node.name, (ip = spareNodePodIP(net, node.name)));
  return ip;
}

/** A node's names and addresses as walk results spell them: as written in the profile and canonical, its pod CIDR, its spare pod address. */
function identity(net: ClusterNetwork, node: NodeProfile): string[] {
  const cidr = node.podCIDR ? parseCIDR(node.podCIDR) : null;
  return [
    ...node.ips.flatMap(ip => [ip, canonicalIP(ip) ?? '']), node.podGateway ?? '', canonicalIP(node.podGateway ?? '') ?? '',
    node.podCIDR ?? '', cidr ? formatCIDR(cidr) : '', sparePodIP(net, node) ?? '',
  ];
}

/**
 * Rewrites the walk results of `from` for other members of its class: each of its names and addresses
 * becomes the member's in the same place. Addresses inside rule text are replaced only as whole addresses.
 */
export function nodeRenamer(net: ClusterNetwork, from: NodeProfile): (to: NodeProfile) => NodeRenaming {
  const own = identity(net, from);
  // the first place a token appears names it (an address written canonically is its own canonical form)
  const place = new Map<string, number>();
  own.forEach((t, i) => { if (t && !place.has(t)) place.set(t, i); });
  const tokens = [...place.keys()].sort((a, b) => b.length - a.length).map(t => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = tokens.length ? new RegExp(`(?<![0-9A-Za-z_.:])(?:${tokens.join('|')})(?![0-9A-Za-z_]|\\.[0-9]|:[0-9A-Fa-f]*:)`, 'g') : null;
  // most rules name no address of the node: asked once per class, not once per member
  const mentions = new Map<string, boolean>();
  const mentioned = (s: string) => {
    let hit = mentions.get(s);
    if (hit === undefined) mentions.set(s, (hit = pattern !== null && s.search(pattern) >= 0));
    return hit;
  };
  return to => {
    const theirs = identity(net, to);
    const address = (s: string) => { const i = place.get(s); return i === undefined ? s : theirs[i] || s; };
    return {
      node: s => (s === from.name ? to.name : s),
      address,
      text: s => (mentioned(s) ? s.replace(pattern!, address) : s),
    };
  };
}

export interface NodeRenaming {
  /** A node name. */
  node(name: string): string;
  /** An address, exactly. */
  address(ip: string): string;
  /** Free text such as a rule: its whole addresses. */
  text(text: string): string;
}
