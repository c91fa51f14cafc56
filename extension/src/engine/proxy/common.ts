// Helpers every proxy back end shares, as kube-proxy's own pkg/proxy/util is shared by its
// iptables, nftables and IPVS proxiers: the local-traffic detector (one place for all modes), the node-port addresses, the
// order ports are written in and the masquerade mark's text.
import type { ClusterProfile, NodeProfile } from '../model/profile';
import type { ServicePortInfo } from '../model/service';
import { isLoopback, parseCIDR, parseIP, type CIDR } from '../util/ip';

/** What a generated line or set entry belongs to, so that front ends can map it to a Service and an endpoint. */
export interface Attribution {
  /** kube-proxy's service port name ("ns/name:port"), for what one service port owns. */
  readonly service?: string | undefined;
  /** "ip:port", for what belongs to one endpoint. */
  readonly endpoint?: string | undefined;
}

/** The masquerade mark as kube-proxy prints it: Go fmt "%#08x" (the width pads the digits, then "0x" is prefixed). */
export function formatMark(bit: number): string {
  return '0x' + (2 ** bit).toString(16).padStart(8, '0');
}

/**
 * How kube-proxy tells pod traffic from other traffic on a node (cmd/kube-proxy/app/server_linux.go
 * getLocalDetectors, pkg/proxy/util/localdetector.go): by source CIDR (ClusterCIDR: the cluster's, of the
 * profile's family; NodeCIDR: the node's own pod CIDR) or by incoming interface (BridgeInterface: that
 * bridge; InterfaceNamePrefix: every interface whose name starts so). Null: no detector (None, or no
 * CIDR of the family), and kube-proxy writes no rule that needs one.
 */
export type LocalTrafficDetector =
  | { readonly kind: 'cidr'; readonly cidr: string }
  | { readonly kind: 'interface'; readonly name: string }
  | { readonly kind: 'interface-prefix'; readonly prefix: string };

export function localTrafficDetector(profile: ClusterProfile, node: NodeProfile | undefined): LocalTrafficDetector | null {
  const ofFamily = (cidr: string | null | undefined) => {
    const text = cidr?.trim();
    const c = text ? parseCIDR(text) : null;
    return c && c.ip.family === profile.ipFamily ? text! : null;
  };
  switch (profile.detectLocalMode) {
    case 'ClusterCIDR': { const cidr = ofFamily(profile.clusterCIDR); return cidr ? { kind: 'cidr', cidr } : null; }
    case 'NodeCIDR': { const cidr = ofFamily(node?.podCIDR); return cidr ? { kind: 'cidr', cidr } : null; }
    case 'BridgeInterface': return profile.bridgeInterface ? { kind: 'interface', name: profile.bridgeInterface } : null;
    case 'InterfaceNamePrefix': return profile.interfaceNamePrefix ? { kind: 'interface-prefix', prefix: profile.interfaceNamePrefix } : null;
    case 'None': return null;
  }
}

/** The detector's IfLocal/IfNotLocal matches in iptables syntax. */
export function iptablesLocalMatch(d: LocalTrafficDetector): { ifLocal: string; ifNotLocal: string } {
  if (d.kind === 'cidr') return { ifLocal: `-s ${d.cidr}`, ifNotLocal: `! -s ${d.cidr}` };
  const name = d.kind === 'interface' ? d.name : `${d.prefix}+`;
  return { ifLocal: `-i ${name}`, ifNotLocal: `! -i ${name}` };
}

/** The detector's IfLocalNFT/IfNotLocalNFT matches; `ipX` is the table family's address keyword (ip, ip6). */
export function nftLocalMatch(d: LocalTrafficDetector, ipX: string): { ifLocal: string; ifNotLocal: string } {
  if (d.kind === 'cidr') return { ifLocal: `${ipX} saddr ${d.cidr}`, ifNotLocal: `${ipX} saddr != ${d.cidr}` };
  const name = d.kind === 'interface' ? d.name : `${d.prefix}*`;
  return { ifLocal: `iifname ${name}`, ifNotLocal: `iifname != ${name}` };
}

/**
 * The interface a local pod's packets enter the node by, as the walk names it: the bridge or an
 * interface with the prefix the detector is configured with (that is what those modes assume), else a veth.
 */
export function podInterfaceName(profile: ClusterProfile): string {
  if (profile.detectLocalMode === 'BridgeInterface' && profile.bridgeInterface) return profile.bridgeInterface;
  if (profile.detectLocalMode === 'InterfaceNamePrefix' && profile.interfaceNamePrefix) return `${profile.interfaceNamePrefix}0`;
  return 'veth0';
}

/**
 * pkg/proxy/util/nodeport_addresses.go NewNodePortAddresses for the profile's family. "primary" stands
 * for the node's first address of the family (cmd/kube-proxy resolves it to <ip>/32 or /128 before the
 * proxier sees it). No CIDR of the family, or a zero CIDR, matches every local address.
 */
export function nodePortCIDRs(profile: ClusterProfile, node: NodeProfile): { matchAll: boolean; cidrs: CIDR[] } {
  const family = profile.ipFamily;
  const cidrs: CIDR[] = [];
  for (const entry of profile.nodePortAddresses) {
    if (entry === 'primary') {
      const primary = node.ips.map(parseIP).find(ip => ip !== null && ip.family === family && !isLoopback(ip));
      if (primary) cidrs.push({ ip: primary, prefix: family === 'IPv4' ? 32 : 128 });
      continue;
    }
    const c = parseCIDR(entry);
    if (c && c.ip.family === family) cidrs.push(c);
  }
  return { matchAll: cidrs.length === 0 || cidrs.some(c => c.prefix === 0), cidrs };
}

/** The order kube-proxy writes Service ports in: by namespace, name, port name and protocol (byte order). */
export function compareServicePorts(a: ServicePortInfo, b: ServicePortInfo): number {
  const ka = `${a.namespace}\u0000${a.serviceName}\u0000${a.portName}\u0000${a.protocol}`;
  const kb = `${b.namespace}\u0000${b.serviceName}\u0000${b.portName}\u0000${b.protocol}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Lines per chunk: small enough that a chunk's line strings are still young when it is joined. */
const CHUNK_LINES = 4096;

/**
 * Lines of a generated text (iptables-restore payload, nft ruleset). Every CHUNK_LINES lines are
 * joined into one flat chunk of the text and each line's text becomes a slice of it, so the many
 * strings a line is built from die young instead of living until the end (joining them all at once
 * spent more time in the garbage collector than in the generator).
 */
export class ChunkedLines<L extends { text: string }> {
  readonly lines: L[] = [];
  /** The text, "\n" after every line. */
  readonly chunks: string[] = [];
  private pending: L[] = [];

  add(line: L): void {
    this.lines.push(line);
    if (this.pending.push(line) === CHUNK_LINES) this.flush();
  }

  /** Joins the pending lines into a chunk; call once more when the text is complete. */
  flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.map(l => l.text).join('\n') + '\n';
    let at = 0;
    for (const line of this.pending) {
      const end = at + line.text.length;
      line.text = chunk.slice(at, end);
      at = end + 1;
    }
    this.chunks.push(chunk);
    this.pending = [];
  }
}
