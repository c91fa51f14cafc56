// Nodes that play the same part for one Service: no endpoint of it, no address of it, the same zone and
// the same shape of addresses. Their rules for the Service are the same up to the node's own names and
// addresses, and so are their walks; the facts walk one node of each class and give the others its
// results with their own names and addresses. A 10,000-node profile then walks a handful of classes
// plus the nodes that host endpoints, not 10,000 nodes.
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import type { NodeProfile } from '../model/profile';
import { nodePortCIDRs } from '../proxy/common';
import { canonicalIP, cidrContains, formatCIDR, parseCIDR, parseIP, type CIDR } from '../util/ip';
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

/**
 * The classes of the profile's nodes for `entry`. A node is a class of its own when the Service can tell
 * it apart by more than its names and addresses: it hosts or is hinted for an endpoint, owns an address
 * a walk goes to (an endpoint, a Service address, the test client), is the profile's own node, or shares
 * an address with another node. The others are grouped by zone (CategorizeEndpoints) and by what the
 * rules and routes ask of each address (family, which nodePortAddresses hold it, cluster or pod CIDR).
 */
export function nodeClasses(entry: ServiceEntry, model: ClusterModel, net: ClusterNetwork): NodeClass[] {
  const profile = model.profile;
  const endpoints = entry.ports.flatMap(p => p.endpoints);
  const own = new Set<string>([profile.nodeName, ...endpoints.flatMap(ep => [ep.nodeName ?? '', ...ep.nodeHints])]);
  const destinations = [
    ...endpoints.map(ep => ep.ip), EXTERNAL_CLIENT_IP, EGRESS_DESTINATION,
    ...entry.ports.flatMap(p => [p.info.clusterIP, ...p.info.loadBalancerVIPs, ...p.info.externalIPs]),
  ];
  for (const ip of destinations) {
    const owner = net.nodeOwning(ip)?.name ?? (net.isPodAddress(ip) ? net.podNode(ip) : null);
    if (owner) own.add(owner);
  }
  const clusterCIDR = profile.clusterCIDR ? parseCIDR(profile.clusterCIDR) : null;
  const inCIDR = (c: CIDR | null, ip: string) => { const a = parseIP(ip); return c !== null && a !== null && cidrContains(c, a); };
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
function classKey(node: NodeProfile, net: ClusterNetwork, clusterCIDR: CIDR | null, inCIDR: (c: CIDR | null, ip: string) => boolean): string | null {
  const gateway = node.podGateway && node.podGateway !== 'none' ? node.podGateway : null;
  // an overlay device's address (a Calico tunnel address, a Cilium router IP) is not one renaming can derive
  if (net.model.podNetwork?.devices.some(d => d.node === node.name)) return null;
  if ([...node.ips, ...(gateway ? [gateway] : [])].some(ip => net.nodeOwning(ip) !== node)) return null;
  const profile = net.model.profile;
  const { matchAll, cidrs } = nodePortCIDRs(profile, node);
  const podCIDR = node.podCIDR ? parseCIDR(node.podCIDR) : null;
  const primary = net.primaryIP(node);
  const address = (ip: string, i: number) => [
    parseIP(ip)?.family ?? null, canonicalIP(ip) === ip, node.ips.indexOf(ip) === i, ip === primary,
    cidrs.map(c => inCIDR(c, ip)), inCIDR(clusterCIDR, ip), inCIDR(podCIDR, ip), net.isPodAddress(ip),
  ];
  const spare = spareNodePodIP(net, node.name);
  return JSON.stringify([
    node.zone ?? '', matchAll, node.ips.map(address),
    podCIDR ? [podCIDR.ip.family, podCIDR.prefix, formatCIDR(podCIDR) === node.podCIDR] : null,
    spare === null ? null : inCIDR(clusterCIDR, spare),
    node.podGateway === 'none' ? 'none' : gateway ? [canonicalIP(gateway) === gateway, inCIDR(podCIDR, gateway)] : null,
  ]);
}

/**
 * Rewrites a class member's walk results for another member: each of the first node's names and addresses
 * (as written in the profile and in canonical form, its pod CIDR, its spare pod address) becomes the
 * other's. Addresses inside rule text are replaced only as whole addresses.
 */
export function nodeRenaming(net: ClusterNetwork, from: NodeProfile, to: NodeProfile): NodeRenaming {
  const pairs = new Map<string, string>();
  const add = (a: string | null | undefined, b: string | null | undefined) => { if (a && b && a !== b && !pairs.has(a)) pairs.set(a, b); };
  from.ips.forEach((ip, i) => { add(ip, to.ips[i]); add(canonicalIP(ip), canonicalIP(to.ips[i] ?? '')); });
  add(from.podGateway, to.podGateway);
  add(canonicalIP(from.podGateway ?? ''), canonicalIP(to.podGateway ?? ''));
  add(from.podCIDR, to.podCIDR);
  const fromCIDR = from.podCIDR ? parseCIDR(from.podCIDR) : null, toCIDR = to.podCIDR ? parseCIDR(to.podCIDR) : null;
  if (fromCIDR && toCIDR) add(formatCIDR(fromCIDR), formatCIDR(toCIDR));
  add(spareNodePodIP(net, from.name), spareNodePodIP(net, to.name));
  const tokens = [...pairs.keys()].sort((a, b) => b.length - a.length).map(t => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = tokens.length ? new RegExp(`(?<![0-9A-Za-z_.:])(?:${tokens.join('|')})(?![0-9A-Za-z_]|\\.[0-9]|:[0-9A-Fa-f]*:)`, 'g') : null;
  return {
    node: s => (s === from.name ? to.name : s),
    address: s => pairs.get(s) ?? s,
    text: s => (pattern ? s.replace(pattern, t => pairs.get(t) ?? t) : s),
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
