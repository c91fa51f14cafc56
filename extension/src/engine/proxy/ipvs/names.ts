// Names kube-proxy's IPVS mode uses: its iptables chains and its ipsets (name, type, comment), as
// pkg/proxy/ipvs/proxier.go (iptablesChains, iptablesJumpChain, ipsetInfo, ipsetWithIptablesChain)
// and pkg/proxy/ipvs/ipset.go declare them (stored upstream version with KUBE-IPVS-OUT-FILTER and
// KUBE-IPVS-IPS, the v1.33/v1.34 line; see generator.ts for the exact provenance).
import type { IPFamily } from '../../util/ip';

export type IpsetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

/** The IPv4 names; IPv6 sets get "KUBE-6-" (see ipsetName). */
export const IPSET = {
  loopBack: 'KUBE-LOOP-BACK',
  clusterIP: 'KUBE-CLUSTER-IP',
  externalIP: 'KUBE-EXTERNAL-IP',
  externalIPLocal: 'KUBE-EXTERNAL-IP-LOCAL',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  loadBalancerFW: 'KUBE-LOAD-BALANCER-FW',
  loadBalancerLocal: 'KUBE-LOAD-BALANCER-LOCAL',
  loadBalancerSourceIP: 'KUBE-LOAD-BALANCER-SOURCE-IP',
  loadBalancerSourceCIDR: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
  nodePortTCP: 'KUBE-NODE-PORT-TCP',
  nodePortLocalTCP: 'KUBE-NODE-PORT-LOCAL-TCP',
  nodePortUDP: 'KUBE-NODE-PORT-UDP',
  nodePortLocalUDP: 'KUBE-NODE-PORT-LOCAL-UDP',
  nodePortSCTP: 'KUBE-NODE-PORT-SCTP-HASH',
  nodePortLocalSCTP: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
  healthCheckNodePort: 'KUBE-HEALTH-CHECK-NODE-PORT',
  ipvsIPs: 'KUBE-IPVS-IPS',
} as const;

export type IpsetKey = keyof typeof IPSET;

export interface IpsetInfo {
  readonly key: IpsetKey;
  readonly type: IpsetType;
  /** The comment kube-proxy puts on the iptables rules that match the set (ipset.go *Comment). */
  readonly comment: string;
}

/** ipsetInfo, in upstream's order (which is also the order we print them in). */
export const IPSET_INFO: readonly IpsetInfo[] = [
  { key: 'loopBack', type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  { key: 'clusterIP', type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  { key: 'externalIP', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  { key: 'externalIPLocal', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  { key: 'loadBalancer', type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  { key: 'loadBalancerFW', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  { key: 'loadBalancerLocal', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  { key: 'loadBalancerSourceIP', type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  { key: 'loadBalancerSourceCIDR', type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  { key: 'nodePortTCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  { key: 'nodePortLocalTCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  { key: 'nodePortUDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  { key: 'nodePortLocalUDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  { key: 'nodePortSCTP', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { key: 'nodePortLocalSCTP', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { key: 'healthCheckNodePort', type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { key: 'ipvsIPs', type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

/** ipset.go NewIPSet: IPv6 sets are "KUBE-6-…", cut to ipset's 31-character limit. */
export function ipsetName(key: IpsetKey, family: IPFamily): string {
  const base: string = IPSET[key];
  if (family === 'IPv4') return base;
  return base.replace(/^KUBE-/, 'KUBE-6-').slice(0, 31);
}

/** ipset's create defaults kube-proxy relies on (pkg/proxy/ipvs/ipset setIPSetDefaults, types.go). */
export const IPSET_HASHSIZE = 1024;
export const IPSET_MAXELEM = 65536;
export const IPSET_PORT_RANGE = '0-65535';

export const CHAIN = {
  services: 'KUBE-SERVICES',
  proxyFirewall: 'KUBE-PROXY-FIREWALL',
  sourceRangesFirewall: 'KUBE-SOURCE-RANGES-FIREWALL',
  postrouting: 'KUBE-POSTROUTING',
  markMasq: 'KUBE-MARK-MASQ',
  nodePort: 'KUBE-NODE-PORT',
  forward: 'KUBE-FORWARD',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  ipvsFilter: 'KUBE-IPVS-FILTER',
  ipvsOutFilter: 'KUBE-IPVS-OUT-FILTER',
} as const;

/** iptablesChains: the chains declared in the restore payload, per table, in upstream's order. */
export const NAT_CHAINS = [CHAIN.services, CHAIN.postrouting, CHAIN.nodePort, CHAIN.loadBalancer, CHAIN.markMasq] as const;
export const FILTER_CHAINS = [CHAIN.forward, CHAIN.nodePort, CHAIN.proxyFirewall, CHAIN.sourceRangesFirewall, CHAIN.ipvsFilter, CHAIN.ipvsOutFilter] as const;

/**
 * ipsetWithIptablesChain: one rule per non-empty set, "-A <from> [-p proto] -m comment --comment
 * <set comment> -m set --match-set <set> <matchType> -j <to>", in this order. The node-port LOCAL
 * sets must come before their plain sets (RETURN before KUBE-MARK-MASQ).
 */
export const IPSET_RULES: readonly { key: IpsetKey; table: 'nat' | 'filter'; from: string; to: string; matchType: string; protocol: string }[] = [
  { key: 'loopBack', table: 'nat', from: CHAIN.postrouting, to: 'MASQUERADE', matchType: 'dst,dst,src', protocol: '' },
  { key: 'loadBalancer', table: 'nat', from: CHAIN.services, to: CHAIN.loadBalancer, matchType: 'dst,dst', protocol: '' },
  { key: 'loadBalancerLocal', table: 'nat', from: CHAIN.loadBalancer, to: 'RETURN', matchType: 'dst,dst', protocol: '' },
  { key: 'nodePortLocalTCP', table: 'nat', from: CHAIN.nodePort, to: 'RETURN', matchType: 'dst', protocol: 'tcp' },
  { key: 'nodePortTCP', table: 'nat', from: CHAIN.nodePort, to: CHAIN.markMasq, matchType: 'dst', protocol: 'tcp' },
  { key: 'nodePortLocalUDP', table: 'nat', from: CHAIN.nodePort, to: 'RETURN', matchType: 'dst', protocol: 'udp' },
  { key: 'nodePortUDP', table: 'nat', from: CHAIN.nodePort, to: CHAIN.markMasq, matchType: 'dst', protocol: 'udp' },
  { key: 'nodePortLocalSCTP', table: 'nat', from: CHAIN.nodePort, to: 'RETURN', matchType: 'dst,dst', protocol: 'sctp' },
  { key: 'nodePortSCTP', table: 'nat', from: CHAIN.nodePort, to: CHAIN.markMasq, matchType: 'dst,dst', protocol: 'sctp' },
  { key: 'loadBalancerFW', table: 'filter', from: CHAIN.proxyFirewall, to: CHAIN.sourceRangesFirewall, matchType: 'dst,dst', protocol: '' },
  { key: 'loadBalancerSourceCIDR', table: 'filter', from: CHAIN.sourceRangesFirewall, to: 'RETURN', matchType: 'dst,dst,src', protocol: '' },
  { key: 'loadBalancerSourceIP', table: 'filter', from: CHAIN.sourceRangesFirewall, to: 'RETURN', matchType: 'dst,dst,src', protocol: '' },
];

/** The dummy interface kube-proxy binds service addresses to. */
export const DUMMY_DEVICE = 'kube-ipvs0';
