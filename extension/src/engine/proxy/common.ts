// Helpers every proxy back end shares, as kube-proxy's own pkg/proxy/util is shared by its
// iptables, nftables and IPVS proxiers: the local-traffic detector, the node-port addresses, the
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
 * The pod CIDR that tells pod traffic from other traffic (pkg/proxy/util/localdetector.go,
 * NewDetectLocalByCIDR; the text is used as given), or null when no detector is implemented: another
 * detect-local mode, no clusterCIDR, or one of the other IP family. Each back end writes its own match.
 */
export function localTrafficCIDR(profile: ClusterProfile): string | null {
  if (profile.detectLocalMode !== 'ClusterCIDR' || !profile.clusterCIDR) return null;
  const cidr = profile.clusterCIDR.trim();
  const c = parseCIDR(cidr);
  return c && c.ip.family === profile.ipFamily ? cidr : null;
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
