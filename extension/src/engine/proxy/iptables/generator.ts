// The iptables-restore payload kube-proxy's iptables mode writes on a full sync, for one node.
// Mirrors pkg/proxy/iptables/proxier.go syncProxyRules (read at commit 531be812): the same buffers
// (filter chains, filter rules, nat chains, nat rules), the same per-service-port emission order.
// kube-proxy walks services in Go map order (random); we walk them sorted by name, which is also
// the order upstream's tests sort into.
import type { ClusterModel, PortEntry } from '../../model/cluster';
import type { ClusterProfile, NodeProfile } from '../../model/profile';
import { categorizeEndpoints, dedupEndpoints, type EndpointInfo } from '../../model/endpoints';
import { nodeTopology } from '../../model/topology';
import { portFlags } from '../../model/service';
import { cidrContains, isLoopback, parseCIDR, parseIP } from '../../util/ip';
import { endpointChain, probability, serviceChains } from './names';
import { ChunkedLines, compareServicePorts, formatMark, iptablesLocalMatch, localTrafficDetector, nodePortCIDRs, type Attribution } from '../common';

export type Table = 'filter' | 'nat';

/** What one line of the payload is, so front ends can map lines to Services and endpoints. */
export interface PayloadLine extends Attribution {
  readonly text: string;
  readonly table: Table | null;
  readonly chain: string | null;
}

/** A jump kube-proxy keeps in a built-in chain (iptablesJumpChains), prepended in this order. */
export interface JumpRule {
  readonly table: Table;
  readonly chain: string;
  readonly target: string;
  readonly args: readonly string[];
}

export interface IptablesRuleset {
  readonly nodeName: string;
  /** The iptables-restore input, "*filter ... COMMIT\n*nat ... COMMIT\n". */
  readonly payload: string;
  readonly lines: readonly PayloadLine[];
  readonly jumps: readonly JumpRule[];
  readonly masqueradeMark: string;
  readonly largeClusterMode: boolean;
}

export interface GenerateOptions {
  /** Node whose rules are generated; the profile's node by default. */
  readonly nodeName?: string;
  /**
   * Text of the masquerade mark. kube-proxy formats 1<<masqueradeBit with Go's "%#08x" (0x00004000);
   * upstream's unit tests inject "0x4000" instead, which the golden tests pass here.
   */
  readonly masqueradeMarkText?: string;
  /**
   * nat chains already in the kernel (e.g. from the previous sync). Service chains among them that
   * are no longer used get deleted the way kube-proxy does it: declared (which flushes) then -X.
   */
  readonly existingNatChains?: readonly string[];
}

const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;
const SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-SEP-'];

export const IPTABLES_JUMPS: readonly JumpRule[] = [
  jump('filter', 'INPUT', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', true),
  jump('filter', 'FORWARD', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', true),
  jump('filter', 'INPUT', 'KUBE-NODEPORTS', 'kubernetes health check service ports', false),
  jump('filter', 'FORWARD', 'KUBE-SERVICES', 'kubernetes service portals', true),
  jump('filter', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', true),
  jump('filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules', false),
  jump('filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', true),
  jump('filter', 'OUTPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', true),
  jump('filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', true),
  jump('nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', false),
  jump('nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals', false),
  jump('nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules', false),
  // duplicates of the kubelet's own jumps (iptablesKubeletJumpChains)
  jump('filter', 'INPUT', 'KUBE-FIREWALL', '', false),
  jump('filter', 'OUTPUT', 'KUBE-FIREWALL', '', false),
];

function jump(table: Table, chain: string, target: string, comment: string, newOnly: boolean): JumpRule {
  const args = [...(newOnly ? ['-m', 'conntrack', '--ctstate', 'NEW'] : []), ...(comment ? ['-m', 'comment', '--comment', comment] : []), '-j', target];
  return { table, chain, target, args };
}

type Line = { -readonly [K in keyof PayloadLine]: PayloadLine[K] };

/** The lines of one section of the payload, joined a chunk at a time (common.ts ChunkedLines). */
class LineBuffer extends ChunkedLines<Line> {
  constructor(private readonly table: Table) {
    super();
  }
  chain(name: string, service?: string, endpoint?: string): void {
    this.add({ text: `:${name} - [0:0]`, table: this.table, chain: name, service, endpoint });
  }
  rule(chain: string, args: string, service?: string, endpoint?: string): void {
    this.add({ text: `-A ${chain} ${args}`, table: this.table, chain, service, endpoint });
  }
  deleteChain(chain: string): void {
    this.add({ text: `-X ${chain}`, table: this.table, chain });
  }
}

/** pkg/proxy/util NodePortAddresses for this family: match-all, or the CIDRs (and "primary"). */
function nodePortAddressMatcher(profile: ClusterProfile, node: NodeProfile) {
  const { matchAll, cidrs } = nodePortCIDRs(profile, node);
  const loopback = parseIP(profile.ipFamily === 'IPv4' ? '127.0.0.1' : '::1')!;
  return {
    matchAll,
    containsIPv4Loopback: profile.ipFamily === 'IPv4' && (matchAll || cidrs.some(c => cidrContains(c, loopback))),
    /**
     * The node's addresses (and loopback, which every node has) inside the CIDRs, each once: upstream
     * collects the interface addresses in a map (pkg/proxy/util/nodeport_addresses.go GetNodeIPs).
     */
    nodeIPs: (): string[] => [...new Set([...node.ips, profile.ipFamily === 'IPv4' ? '127.0.0.1' : '::1'])]
      .filter(ip => { const p = parseIP(ip); return p !== null && p.family === profile.ipFamily && cidrs.some(c => cidrContains(c, p)); }),
  };
}

export function generateIptables(model: ClusterModel, options: GenerateOptions = {}): IptablesRuleset {
  const profile = model.profile;
  const nodeName = options.nodeName ?? profile.nodeName;
  // the node's zone and the node-hints gate, for CategorizeEndpoints
  const topology = nodeTopology(profile, nodeName);
  const node = profile.nodes.find(n => n.name === nodeName) ?? { name: nodeName, ips: [], podCIDR: null, podGateway: null };
  const mark = options.masqueradeMarkText ?? formatMark(profile.masqueradeBit);
  const isIPv6 = profile.ipFamily === 'IPv6';
  const nodeIP = parseIP(node.ips.find(ip => parseIP(ip)?.family === profile.ipFamily) ?? '');
  const npa = nodePortAddressMatcher(profile, node);
  const localhostNodePorts = profile.localhostNodePorts && npa.containsIPv4Loopback;
  const nfacct = new Set(profile.nfacctCounters);
  const local = localTrafficDetector(profile, profile.nodes.find(n => n.name === nodeName));
  const detector = local ? iptablesLocalMatch(local) : null;

  const filterChains = new LineBuffer('filter');
  const filterRules = new LineBuffer('filter');
  const natChains = new LineBuffer('nat');
  const natRules = new LineBuffer('nat');

  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) filterChains.chain(c);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) natChains.chain(c);
  natRules.rule('KUBE-POSTROUTING', `-m mark ! --mark ${mark}/${mark} -j RETURN`);
  // clear the mark so a packet that traverses the stack again is not masqueraded twice
  natRules.rule('KUBE-POSTROUTING', `-j MARK --xor-mark ${mark}`);
  natRules.rule('KUBE-POSTROUTING', `-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${profile.iptablesRandomFully ? ' --random-fully' : ''}`);
  natRules.rule('KUBE-MARK-MASQ', `-j MARK --or-mark ${mark}`);
  if (!isIPv6 && localhostNodePorts) {
    filterChains.chain('KUBE-FIREWALL');
    filterRules.rule('KUBE-FIREWALL', '-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  }

  const ports = model.services.flatMap(s => s.ports).sort((a, b) => compareServicePorts(a.info, b.info));
  const endpointsOf = new Map<PortEntry, EndpointInfo[]>(ports.map(p => [p, dedupEndpoints(p.endpoints, nodeName)]));
  const totalEndpoints = [...endpointsOf.values()].reduce((n, eps) => n + eps.length, 0);
  const largeClusterMode = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

  for (const entry of ports) {
    const sp = entry.info;
    const svcName = sp.nameString;
    const proto = sp.protocol.toLowerCase();
    const chains = serviceChains(sp);
    const flags = portFlags(sp);
    const cat = categorizeEndpoints(endpointsOf.get(entry)!, sp, nodeName, topology);
    const hasEndpoints = cat.hasAnyEndpoints;
    const usesClusterPolicyChain = cat.clusterEndpoints.length > 0 && flags.usesClusterEndpoints;
    const usesLocalPolicyChain = cat.localEndpoints.length > 0 && flags.usesLocalEndpoints;
    const internalTrafficChain = sp.internalPolicyLocal ? chains.svl : chains.svc;
    const hasInternalEndpoints = hasEndpoints && !(sp.internalPolicyLocal && cat.localEndpoints.length === 0);
    const externalPolicyChain = sp.externalPolicyLocal ? chains.svl : chains.svc;
    const hasExternalEndpoints = hasEndpoints && !(sp.externalPolicyLocal && cat.localEndpoints.length === 0);
    const usesExternalTrafficChain = hasEndpoints && flags.externallyAccessible;
    const usesFWChain = hasEndpoints && sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
    const loadBalancerTrafficChain = usesFWChain ? chains.fw : chains.ext;

    // "no endpoints at all" REJECTs; "no local endpoints" (a Local policy) DROPs.
    const filterComment = hasEndpoints ? `"${svcName} has no local endpoints"` : `"${svcName} has no endpoints"`;
    const filterTarget = hasEndpoints ? 'DROP' : 'REJECT';
    const match = `-m ${proto} -p ${proto}`;
    const dst = (ip: string, port: number) => `${match} -d ${ip} --dport ${port}`;
    const nat = (chain: string, args: string, endpoint?: string) => natRules.rule(chain, args, svcName, endpoint);
    const filter = (chain: string, args: string) => filterRules.rule(chain, args, svcName);
    const commented = (text: string) => `-m comment --comment "${text}"`;

    // Capture the cluster IP.
    if (hasInternalEndpoints) nat('KUBE-SERVICES', `${commented(`${svcName} cluster IP`)} ${dst(sp.clusterIP, sp.port)} -j ${internalTrafficChain}`);
    else filter('KUBE-SERVICES', `-m comment --comment ${filterComment} ${dst(sp.clusterIP, sp.port)} -j ${filterTarget}`);

    // Capture externalIPs.
    for (const ip of sp.externalIPs) {
      if (hasEndpoints) nat('KUBE-SERVICES', `${commented(`${svcName} external IP`)} ${dst(ip, sp.port)} -j ${chains.ext}`);
      if (!hasExternalEndpoints) filter('KUBE-EXTERNAL-SERVICES', `-m comment --comment ${filterComment} ${dst(ip, sp.port)} -j ${filterTarget}`);
    }

    // Capture load-balancer ingress.
    for (const ip of sp.loadBalancerVIPs) {
      if (hasEndpoints) nat('KUBE-SERVICES', `${commented(`${svcName} loadbalancer IP`)} ${dst(ip, sp.port)} -j ${loadBalancerTrafficChain}`);
      if (usesFWChain) filter('KUBE-PROXY-FIREWALL', `${commented(`${svcName} traffic not accepted by ${chains.fw}`)} ${dst(ip, sp.port)} -j DROP`);
    }
    if (!hasExternalEndpoints) {
      for (const ip of sp.loadBalancerVIPs) filter('KUBE-EXTERNAL-SERVICES', `-m comment --comment ${filterComment} ${dst(ip, sp.port)} -j ${filterTarget}`);
    }

    // Capture node ports (never subject to loadBalancerSourceRanges).
    if (sp.nodePort !== 0) {
      if (hasEndpoints) {
        if (localhostNodePorts && !isIPv6 && nfacct.has('localhost_nps_accepted_pkts')) {
          nat('KUBE-NODEPORTS', `-m comment --comment ${svcName} ${match} -d 127.0.0.0/8 --dport ${sp.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${chains.ext}`);
        }
        nat('KUBE-NODEPORTS', `-m comment --comment ${svcName} ${match} --dport ${sp.nodePort} -j ${chains.ext}`);
      }
      if (!hasExternalEndpoints) {
        filter('KUBE-EXTERNAL-SERVICES', `-m comment --comment ${filterComment} -m addrtype --dst-type LOCAL ${match} --dport ${sp.nodePort} -j ${filterTarget}`);
      }
    }

    // Health check node port: accepted whether or not this node has local endpoints.
    if (sp.healthCheckNodePort !== 0) {
      filter('KUBE-NODEPORTS', `${commented(`${svcName} health check node port`)} -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`);
    }

    // Internal traffic: masquerade what does not come from a pod.
    if (hasInternalEndpoints) {
      const args = `${commented(`${svcName} cluster IP`)} ${dst(sp.clusterIP, sp.port)}`;
      if (profile.masqueradeAll) nat(internalTrafficChain, `${args} -j KUBE-MARK-MASQ`);
      else if (detector) nat(internalTrafficChain, `${args} ${detector.ifNotLocal} -j KUBE-MARK-MASQ`);
    }

    // External traffic chain.
    if (usesExternalTrafficChain) {
      natChains.chain(chains.ext, svcName);
      if (!sp.externalPolicyLocal) {
        nat(chains.ext, `${commented(`masquerade traffic for ${svcName} external destinations`)} -j KUBE-MARK-MASQ`);
      } else {
        if (detector) nat(chains.ext, `${commented(`pod traffic for ${svcName} external destinations`)} ${detector.ifLocal} -j ${chains.svc}`);
        nat(chains.ext, `${commented(`masquerade LOCAL traffic for ${svcName} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`);
        nat(chains.ext, `${commented(`route LOCAL traffic for ${svcName} external destinations`)} -m addrtype --src-type LOCAL -j ${chains.svc}`);
      }
      if (hasExternalEndpoints) nat(chains.ext, `-j ${externalPolicyChain}`);
    }

    // Firewall chain for loadBalancerSourceRanges.
    if (usesFWChain) {
      natChains.chain(chains.fw, svcName);
      const head = commented(`${svcName} loadbalancer IP`);
      let allowFromNode = false;
      for (const cidr of sp.loadBalancerSourceRanges) {
        nat(chains.fw, `${head} -s ${cidr} -j ${chains.ext}`);
        const c = parseCIDR(cidr);
        if (c && nodeIP && cidrContains(c, nodeIP)) allowFromNode = true;
      }
      if (allowFromNode) for (const ip of sp.loadBalancerVIPs) nat(chains.fw, `${head} -s ${ip} -j ${chains.ext}`);
      nat(chains.fw, commented(`other traffic to ${svcName} will be dropped by KUBE-PROXY-FIREWALL`));
    }

    // In large-cluster mode kube-proxy drops these comments (appendServiceCommentLocked).
    const endpointComment = (text: string) => (largeClusterMode ? '' : `-m comment --comment ${text} `);
    const sepNames = new Map<string, string>();
    const sepOf = (ep: EndpointInfo): string => sepNames.get(ep.key) ?? sepNames.set(ep.key, endpointChain(sp, ep.key)).get(ep.key)!;
    const dispatch = (chain: string, eps: readonly EndpointInfo[]) => {
      natChains.chain(chain, svcName);
      if (sp.sessionAffinityClientIP) {
        for (const ep of eps) {
          const sep = sepOf(ep);
          nat(chain, `${endpointComment(`"${svcName} -> ${ep.key}"`)}-m recent --name ${sep} --rcheck --seconds ${sp.stickyMaxAgeSeconds} --reap -j ${sep}`, ep.key);
        }
      }
      eps.forEach((ep, i) => {
        const statistic = i < eps.length - 1 ? `-m statistic --mode random --probability ${probability(eps.length - i)} ` : '';
        nat(chain, `${endpointComment(`"${svcName} -> ${ep.key}"`)}${statistic}-j ${sepOf(ep)}`, ep.key);
      });
    };
    if (usesClusterPolicyChain) dispatch(chains.svc, cat.clusterEndpoints);
    if (usesLocalPolicyChain) dispatch(chains.svl, cat.localEndpoints);

    for (const ep of cat.allReachable) {
      const sep = sepOf(ep);
      natChains.chain(sep, svcName, ep.key);
      nat(sep, `${endpointComment(svcName)}-s ${ep.ip} -j KUBE-MARK-MASQ`, ep.key);
      const affinity = sp.sessionAffinityClientIP ? `-m recent --name ${sep} --set ` : '';
      nat(sep, `${endpointComment(svcName)}${affinity}${match} -j DNAT --to-destination ${ep.key}`, ep.key);
    }
  }

  const existingNatChains = options.existingNatChains ?? [];
  if (existingNatChains.length > 0) {
    const activeNatChains = new Set(natChains.lines.map(l => l.chain));
    // upstream walks a set difference (random order); we delete in name order
    for (const chain of [...existingNatChains].sort()) {
      if (activeNatChains.has(chain) || !SERVICE_CHAIN_PREFIXES.some(p => chain.startsWith(p))) continue;
      natChains.chain(chain);
      natRules.deleteChain(chain);
    }
  }

  // Tail call to the node ports chain: must be the last rule of KUBE-SERVICES.
  const nodePortsComment = '-m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain"';
  if (npa.matchAll) {
    // localhost node ports never work on IPv6, and on IPv4 only with route_localnet (localhostNodePorts)
    const notLoopback = isIPv6 ? ' ! -d ::1/128' : !localhostNodePorts ? ' ! -d 127.0.0.0/8' : '';
    natRules.rule('KUBE-SERVICES', `${nodePortsComment} -m addrtype --dst-type LOCAL${notLoopback} -j KUBE-NODEPORTS`);
  } else {
    for (const ip of npa.nodeIPs()) {
      if (isLoopback(parseIP(ip)!) && (isIPv6 || !localhostNodePorts)) continue;
      natRules.rule('KUBE-SERVICES', `${nodePortsComment} -d ${ip} -j KUBE-NODEPORTS`);
    }
  }

  if (!profile.conntrackTCPLiberal) {
    const counter = nfacct.has('ct_state_invalid_dropped_pkts') ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : '';
    filterRules.rule('KUBE-FORWARD', `-m conntrack --ctstate INVALID${counter} -j DROP`);
  }
  filterRules.rule('KUBE-FORWARD', `-m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filterRules.rule('KUBE-FORWARD', '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');

  const sections = [filterChains, filterRules, natChains, natRules];
  for (const section of sections) section.flush();
  const marker = (text: string, table: Table | null): PayloadLine => ({ text, table, chain: null });
  const lines: PayloadLine[] = [
    marker('*filter', 'filter'), ...filterChains.lines, ...filterRules.lines, marker('COMMIT', 'filter'),
    marker('*nat', 'nat'), ...natChains.lines, ...natRules.lines, marker('COMMIT', 'nat'),
  ];
  const payload = ['*filter\n', ...filterChains.chunks, ...filterRules.chunks, 'COMMIT\n*nat\n', ...natChains.chunks, ...natRules.chunks, 'COMMIT\n'].join('');
  return { nodeName, lines, jumps: IPTABLES_JUMPS, masqueradeMark: mark, largeClusterMode, payload };
}
