// Where addresses live and how a node routes: enough of Linux routing to tell which node a packet
// goes to next and which interface it leaves by (MASQUERADE takes that interface's address).
import type { ClusterModel } from '../model/cluster';
import type { NodeProfile } from '../model/profile';
import type { OverlayDevice } from '../egress/podNetwork';
import { cidrContains, formatCIDR, isLoopback, parseCIDR, parseIP, type CIDR } from '../util/ip';

export type Route =
  | { readonly kind: 'local' }
  /** A pod on this node: leaves by the pod's link. */
  | { readonly kind: 'pod'; readonly node: string }
  /** Another node (or a pod on it): leaves by eth0 towards it; `node` is null when the profile does not know it. */
  | { readonly kind: 'remote'; readonly node: string | null; readonly known: boolean }
  /** Anything else: out by the default route, off the cluster. */
  | { readonly kind: 'external' };

/** What MASQUERADE gives a packet: the address, and the overlay device it leaves by (none: the uplink or a pod link). */
export interface MasqueradeSource {
  readonly address: string;
  /** With a null address, `address` is the node's own, standing in for the device's unknown one. */
  readonly overlay?: OverlayDevice;
}

export class ClusterNetwork {
  private readonly podNodes = new Map<string, string>();
  // a walk asks for the same few routes once per outcome: with E endpoints, E times each
  private readonly routes = new Map<string, Route>();
  private podCIDRs: PodCIDRIndex | null = null;
  private clusterCIDR: CIDR | null | undefined;

  constructor(readonly model: ClusterModel) {
    for (const s of model.services) for (const p of s.ports) for (const ep of p.endpoints) if (ep.nodeName) this.podNodes.set(ep.ip, ep.nodeName);
    for (const w of model.workloads) for (const pod of w.pods) if (pod.ip) this.podNodes.set(pod.ip, pod.nodeName);
  }

  get nodes(): readonly NodeProfile[] {
    return this.model.profile.nodes;
  }

  // by name and by address: a walk looks nodes up per hop, and a profile may list thousands
  private byName: Map<string, NodeProfile> | null = null;
  private byAddress: Map<string, NodeProfile> | null = null;

  node(name: string): NodeProfile | undefined {
    this.byName ??= new Map(this.nodes.map(n => [n.name, n]));
    return this.byName.get(name);
  }

  primaryIP(node: NodeProfile): string {
    return node.ips.find(ip => parseIP(ip)?.family === this.model.profile.ipFamily) ?? node.ips[0] ?? '';
  }

  /** The node that owns an address as its own (node IP or pod gateway). */
  nodeOwning(ip: string): NodeProfile | undefined {
    if (!this.byAddress) {
      this.byAddress = new Map();
      // the first node listing an address owns it, as a linear search found it
      for (const n of this.nodes) for (const a of [...n.ips, ...(n.podGateway ? [n.podGateway] : [])]) if (!this.byAddress.has(a)) this.byAddress.set(a, n);
    }
    return this.byAddress.get(ip);
  }

  /** The node a pod address lives on: from the endpoints and workloads, else by pod CIDR. */
  podNode(ip: string): string | null {
    const known = this.podNodes.get(ip);
    if (known) return known;
    const addr = parseIP(ip);
    if (!addr) return null;
    return this.podCIDRIndex().lookup(ip);
  }

  private podCIDRIndex(): PodCIDRIndex {
    return (this.podCIDRs ??= new PodCIDRIndex(this.nodes));
  }

  isPodAddress(ip: string): boolean {
    if (this.podNodes.has(ip)) return true;
    const addr = parseIP(ip);
    if (this.clusterCIDR === undefined) this.clusterCIDR = this.model.profile.clusterCIDR ? parseCIDR(this.model.profile.clusterCIDR) : null;
    return addr !== null && ((this.clusterCIDR !== null && cidrContains(this.clusterCIDR, addr)) || this.podNode(ip) !== null);
  }

  /** addrtype LOCAL on a node: its addresses, its pod gateway address and loopback. */
  isLocal(node: NodeProfile, ip: string): boolean {
    const addr = parseIP(ip);
    return addr !== null && (isLoopback(addr) || node.ips.includes(ip) || node.podGateway === ip);
  }

  route(node: NodeProfile, dst: string): Route {
    const key = `${node.name}\u0000${dst}`;
    let route = this.routes.get(key);
    if (!route) this.routes.set(key, (route = this.findRoute(node, dst)));
    return route;
  }

  private findRoute(node: NodeProfile, dst: string): Route {
    if (this.isLocal(node, dst)) return { kind: 'local' };
    const owner = this.nodeOwning(dst);
    if (owner) return { kind: 'remote', node: owner.name, known: true };
    const podNode = this.isPodAddress(dst) ? this.podNode(dst) : null;
    if (podNode === node.name) return { kind: 'pod', node: node.name };
    if (podNode !== null) return { kind: 'remote', node: podNode, known: this.node(podNode) !== undefined };
    return { kind: 'external' };
  }

  /**
   * The source MASQUERADE picks: the primary address of the egress interface. Towards a pod on this
   * node that is the pod link's address where the CNI gives one (bridge/ptp: the pod gateway);
   * a Calico-like link has none, and the kernel falls back to the node's address. Towards a pod on
   * another node it is the overlay device's address where the pod network has one (egress/podNetwork).
   */
  masqueradeSource(node: NodeProfile, dst: string): MasqueradeSource {
    const route = this.route(node, dst);
    if (route.kind === 'pod' && node.podGateway && node.podGateway !== 'none' && !this.model.podNetwork?.addresslessPodLinks) return { address: node.podGateway };
    const remote = route.kind === 'remote' && route.node && !this.nodeOwning(dst) ? this.node(route.node) : undefined;
    const overlay = remote ? this.model.podNetwork?.deviceTo(node, remote, dst) : null;
    if (!overlay) return { address: this.primaryIP(node) };
    // an address the input does not tell: the node's stands in, and the walk says so
    return overlay.address !== null ? { address: overlay.address, overlay } : { address: this.primaryIP(node), overlay };
  }
}

/**
 * The node whose pod CIDR holds an address, by the address masked to each prefix length the profile
 * uses (a handful): a lookup per address instead of a scan of every node. The first node listed wins.
 */
class PodCIDRIndex {
  private readonly byNetwork = new Map<number, Map<string, { index: number; name: string }>>();
  private readonly found = new Map<string, string | null>();

  constructor(nodes: readonly NodeProfile[]) {
    nodes.forEach((n, index) => {
      const cidr = n.podCIDR ? parseCIDR(n.podCIDR) : null;
      if (!cidr) return;
      const networks = this.byNetwork.get(cidr.prefix) ?? this.byNetwork.set(cidr.prefix, new Map()).get(cidr.prefix)!;
      const key = formatCIDR(cidr);
      if (!networks.has(key)) networks.set(key, { index, name: n.name });
    });
  }

  lookup(ip: string): string | null {
    let name = this.found.get(ip);
    if (name !== undefined) return name;
    let best: { index: number; name: string } | undefined;
    for (const [prefix, networks] of this.byNetwork) {
      const network = parseCIDR(`${ip}/${prefix}`);
      const hit = network ? networks.get(formatCIDR(network)) : undefined;
      if (hit && (!best || hit.index < best.index)) best = hit;
    }
    this.found.set(ip, (name = best?.name ?? null));
    return name;
  }
}
