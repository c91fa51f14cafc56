// The nftables ruleset kube-proxy's nftables mode keeps in the kernel after a full sync, for one
// node. Mirrors pkg/proxy/nftables/proxier.go (read at commit 531be812): setupNFTables (the fixed
// table, base chains, sets, maps and dispatch rules) followed by syncProxyRules (per service port:
// set and map elements, then the service, external, firewall and endpoint chains).
//
// `ruleset` prints the table the way knftables' Fake.Dump() does, which is what upstream's tests
// compare against: the table, then every chain (by name) followed by its rules, then every set and
// every map (by name) followed by its elements. kube-proxy walks services in Go map order; we walk
// them sorted by name, and the upstream comparison sorts those differences away.
// `script` holds the same objects in an order `nft -f` accepts (declarations before references).
import type { ClusterModel } from '../../model/cluster';
import type { ClusterProfile, NodeProfile } from '../../model/profile';
import { categorizeEndpoints, dedupEndpoints, type EndpointInfo } from '../../model/endpoints';
import { nodeTopology } from '../../model/topology';
import { portFlags } from '../../model/service';
import { cidrContains, formatIP, isLoopback, parseCIDR, parseIP, type IPFamily } from '../../util/ip';
import { isServiceChainName, nftEndpointNames, nftServiceChains } from './names';
import { ChunkedLines, compareServicePorts, formatMark, localTrafficDetector, nftLocalMatch, nodePortCIDRs, type Attribution } from '../common';

export const KUBE_PROXY_TABLE = 'kube-proxy';

export type NftFamily = 'ip' | 'ip6';
export type NftObjectKind = 'table' | 'chain' | 'rule' | 'set' | 'map' | 'element';

export interface NftBaseChain {
  readonly type: 'filter' | 'nat';
  readonly hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  /** Numeric, as knftables prints it: dstnat-10 = -110, dstnat = -100, filter = 0, srcnat = 100. */
  readonly priority: number;
}

export interface NftRule extends Attribution {
  readonly chain: string;
  /** The rule text without its comment, as knftables stores Rule.Rule. */
  readonly rule: string;
  readonly comment?: string | undefined;
}

export interface NftChain extends Attribution {
  readonly name: string;
  readonly base?: NftBaseChain | undefined;
  readonly comment?: string | undefined;
  readonly rules: NftRule[];
}

export interface NftElement extends Attribution {
  /** Key fields, e.g. ["172.30.0.41", "tcp", "80"]; printed joined by " . ". */
  readonly key: readonly string[];
  /** Map value, e.g. ["goto service-…"]; absent for set elements. */
  readonly value?: readonly string[] | undefined;
  readonly comment?: string | undefined;
}

export interface NftSet extends Attribution {
  readonly kind: 'set' | 'map';
  readonly name: string;
  readonly type: string;
  readonly flags?: readonly string[] | undefined;
  readonly timeoutSeconds?: number | undefined;
  readonly comment?: string | undefined;
  readonly elements: NftElement[];
}

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  readonly comment: string;
  readonly chains: ReadonlyMap<string, NftChain>;
  readonly sets: ReadonlyMap<string, NftSet>;
  readonly maps: ReadonlyMap<string, NftSet>;
}

/** One line of `ruleset`, so front ends can map lines to Services and endpoints. */
export interface NftLine extends Attribution {
  readonly text: string;
  readonly kind: NftObjectKind;
  /** The chain, set or map the line declares or adds to; null for the table line. */
  readonly object: string | null;
}

export interface NftablesRuleset {
  readonly nodeName: string;
  readonly family: NftFamily;
  readonly table: NftTable;
  /** knftables Fake.Dump() text: "add table …\nadd chain …\n…", every line ending in "\n". */
  readonly ruleset: string;
  readonly lines: readonly NftLine[];
  /** The same objects as an `nft -f` script that loads into an empty kernel table. */
  readonly script: string;
  readonly masqueradeMark: string;
  /** Whether NodePorts are accepted on every local address (no nodeport-ips set). */
  readonly nodePortsMatchAll: boolean;
}

export interface NftGenerateOptions {
  /** Node whose rules are generated; the profile's node by default. */
  readonly nodeName?: string;
  /**
   * Text of the masquerade mark. kube-proxy formats 1<<masqueradeBit with Go's "%#08x" (0x00004000);
   * upstream's unit tests inject "0x4000" instead.
   */
  readonly masqueradeMarkText?: string;
  /**
   * Chains already in the kernel table before this sync (after kube-proxy's deferred deletion of
   * chains that went stale more than a second ago). Service and endpoint chains among them that this
   * sync no longer uses are flushed but kept, as kube-proxy does (they are deleted one sync later).
   */
  readonly existingChains?: readonly string[];
}

/** The ServiceCIDRs of one family, joined as proxier.OnServiceCIDRsChanged stores them. */
export function serviceCIDRsForFamily(cidrs: readonly string[], family: IPFamily): string {
  return cidrs.filter(c => (parseCIDR(c)?.ip.family === 'IPv4') === (family === 'IPv4')).join(',');
}

interface NodePortAddresses {
  readonly matchAll: boolean;
  /** Node addresses (not loopback) that accept NodePort traffic when !matchAll. */
  readonly ips: readonly string[];
}

/**
 * pkg/proxy/util NewNodePortAddresses + GetNodeIPs for this family. "primary" stands for the node's
 * first address of the family (cmd/kube-proxy resolves it to <ip>/32 or /128 before the proxier
 * sees it). No CIDR of the family, or a zero CIDR, means every local address.
 */
function nodePortAddresses(profile: ClusterProfile, node: NodeProfile): NodePortAddresses {
  const family = profile.ipFamily;
  const { matchAll, cidrs } = nodePortCIDRs(profile, node);
  if (matchAll) return { matchAll: true, ips: [] };
  const ips: string[] = [];
  for (const text of node.ips) {
    const ip = parseIP(text);
    if (!ip || ip.family !== family || isLoopback(ip)) continue; // localhost NodePorts are not supported
    const canonical = formatIP(ip);
    if (cidrs.some(c => cidrContains(c, ip)) && !ips.includes(canonical)) ips.push(canonical);
  }
  return { matchAll: false, ips };
}

/** The kube-proxy table under construction: knftables' transaction semantics, without the kernel. */
class TableBuilder {
  readonly chains = new Map<string, NftChain>();
  readonly sets = new Map<string, NftSet>();
  readonly maps = new Map<string, NftSet>();

  /** tx.Add + tx.Flush of a chain (ensureChain); adding an existing chain changes nothing. */
  chain(name: string, props: Omit<NftChain, 'name' | 'rules'> = {}): void {
    if (!this.chains.has(name)) this.chains.set(name, { name, ...props, rules: [] });
  }

  rule(chain: string, rule: string, extra: Omit<NftRule, 'chain' | 'rule'> = {}): void {
    const c = this.chains.get(chain);
    if (!c) throw new Error(`nftables generator: rule for undeclared chain ${chain}`);
    c.rules.push({ chain, rule, ...extra });
  }

  set(s: Omit<NftSet, 'elements' | 'kind'>): void {
    if (!this.sets.has(s.name)) this.sets.set(s.name, { kind: 'set', ...s, elements: [] });
  }

  map(m: Omit<NftSet, 'elements' | 'kind' | 'flags' | 'timeoutSeconds'>): void {
    if (!this.maps.has(m.name)) this.maps.set(m.name, { kind: 'map', ...m, elements: [] });
  }

  /** Elements by key text, per set or map, in insertion order; copied into the containers by table(). */
  private readonly elementsByKey = new Map<NftSet, Map<string, NftElement>>();

  /**
   * nftElementStorage.ensureElem on a fresh sync: an element with the same key and value is kept
   * as it is; the same key with another value is deleted and added again (so it moves to the end).
   */
  element(container: string, element: NftElement): void {
    const target = this.sets.get(container) ?? this.maps.get(container);
    if (!target) throw new Error(`nftables generator: element for undeclared set or map ${container}`);
    let byKey = this.elementsByKey.get(target);
    if (!byKey) this.elementsByKey.set(target, byKey = new Map());
    const key = element.key.join(' . ');
    const existing = byKey.get(key);
    if (existing) {
      if ((existing.value ?? []).join(' . ') === (element.value ?? []).join(' . ')) return;
      byKey.delete(key);
    }
    byKey.set(key, element);
  }

  table(family: NftFamily, comment: string): NftTable {
    for (const [container, byKey] of this.elementsByKey) for (const e of byKey.values()) container.elements.push(e);
    this.elementsByKey.clear();
    return { family, name: KUBE_PROXY_TABLE, comment, chains: this.chains, sets: this.sets, maps: this.maps };
  }
}

export function generateNftables(model: ClusterModel, options: NftGenerateOptions = {}): NftablesRuleset {
  const profile = model.profile;
  const nodeName = options.nodeName ?? profile.nodeName;
  // the node's zone and the node-hints gate, for CategorizeEndpoints
  const topology = nodeTopology(profile, nodeName);
  const node = profile.nodes.find(n => n.name === nodeName) ?? { name: nodeName, ips: [], podCIDR: null, podGateway: null };
  const mark = options.masqueradeMarkText ?? formatMark(profile.masqueradeBit);
  const isIPv6 = profile.ipFamily === 'IPv6';
  const family: NftFamily = isIPv6 ? 'ip6' : 'ip';
  const ipX = family;
  const ipvXAddr = isIPv6 ? 'ipv6_addr' : 'ipv4_addr';
  const noLocalhost = isIPv6 ? 'ip6 daddr != ::1' : 'ip daddr != 127.0.0.0/8';
  const nodeIP = node.ips.map(parseIP).find(ip => ip !== null && ip.family === profile.ipFamily) ?? null;
  const npa = nodePortAddresses(profile, node);
  const local = localTrafficDetector(profile, profile.nodes.find(n => n.name === nodeName));
  const detector = local ? nftLocalMatch(local, ipX) : null;
  const serviceCIDRs = serviceCIDRsForFamily(profile.serviceCIDRs, profile.ipFamily);
  const t = new TableBuilder();

  // ---- setupNFTables
  const base = (type: NftBaseChain['type'], hook: NftBaseChain['hook'], priority: number) => ({ base: { type, hook, priority } });
  t.chain('filter-prerouting-pre-dnat', base('filter', 'prerouting', -110));
  t.chain('filter-output-pre-dnat', base('filter', 'output', -110));
  t.chain('filter-input', base('filter', 'input', 0));
  t.chain('filter-forward', base('filter', 'forward', 0));
  t.chain('filter-output', base('filter', 'output', 0));
  t.chain('nat-prerouting', base('nat', 'prerouting', -100));
  t.chain('nat-output', base('nat', 'output', -100));
  t.chain('nat-postrouting', base('nat', 'postrouting', 100));

  const jumps: [dst: string, src: string, extra: string][] = [
    ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
    ['service-endpoints-check', 'filter-input', 'ct state new'],
    ['service-endpoints-check', 'filter-forward', 'ct state new'],
    ['service-endpoints-check', 'filter-output', 'ct state new'],
    ['firewall-check', 'filter-prerouting-pre-dnat', 'ct state new'],
    ['firewall-check', 'filter-output-pre-dnat', 'ct state new'],
    ['services', 'nat-output', ''],
    ['services', 'nat-prerouting', ''],
    ['masquerading', 'nat-postrouting', ''],
    ['cluster-ips-check', 'filter-forward', 'ct state new'],
    ['cluster-ips-check', 'filter-output', 'ct state new'],
  ];
  for (const [dst, src, extra] of jumps) {
    t.chain(dst);
    t.rule(src, concat(extra, 'jump', dst));
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) t.chain(c);

  t.rule('mark-for-masquerade', `mark set mark or ${mark}`);
  t.rule('masquerading', `mark and ${mark} == 0 return`);
  t.rule('masquerading', `mark set mark xor ${mark}`);
  t.rule('masquerading', 'masquerade fully-random');

  t.set({ name: 'cluster-ips', type: ipvXAddr, comment: 'Active ClusterIPs' });
  t.rule('cluster-ips-check', `${ipX} daddr @cluster-ips reject`, { comment: 'Reject traffic to invalid ports of ClusterIPs' });
  if (serviceCIDRs) t.rule('cluster-ips-check', `${ipX} daddr { ${serviceCIDRs} } drop`, { comment: 'Drop traffic to unallocated ClusterIPs' });

  if (!npa.matchAll) {
    t.set({ name: 'nodeport-ips', type: ipvXAddr, comment: 'IPs that accept NodePort traffic' });
    for (const ip of npa.ips) t.element('nodeport-ips', { key: [ip] });
  }

  const verdictMapType = `${ipvXAddr} . inet_proto . inet_service : verdict`;
  t.map({ name: 'no-endpoint-services', type: verdictMapType, comment: 'vmap to drop or reject packets to services with no endpoints' });
  t.map({ name: 'no-endpoint-nodeports', type: 'inet_proto . inet_service : verdict', comment: 'vmap to drop or reject packets to service nodeports with no endpoints' });
  t.chain('reject-chain', { comment: 'helper for @no-endpoint-services / @no-endpoint-nodeports' });
  t.rule('reject-chain', 'reject');
  t.rule('service-endpoints-check', `${ipX} daddr . meta l4proto . th dport vmap @no-endpoint-services`);
  t.rule('nodeport-endpoints-check', npa.matchAll
    ? `${noLocalhost} meta l4proto . th dport vmap @no-endpoint-nodeports`
    : `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports`);

  t.map({ name: 'firewall-ips', type: verdictMapType, comment: 'destinations that are subject to LoadBalancerSourceRanges' });
  t.chain('firewall-check');
  t.rule('firewall-check', `${ipX} daddr . meta l4proto . th dport vmap @firewall-ips`);

  t.map({ name: 'service-ips', type: verdictMapType, comment: 'ClusterIP, ExternalIP and LoadBalancer IP traffic' });
  t.map({ name: 'service-nodeports', type: 'inet_proto . inet_service : verdict', comment: 'NodePort traffic' });
  t.rule('services', `${ipX} daddr . meta l4proto . th dport vmap @service-ips`);
  t.rule('services', npa.matchAll
    ? `fib daddr type local ${noLocalhost} meta l4proto . th dport vmap @service-nodeports`
    : `${ipX} daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports`);

  // ---- syncProxyRules: one pass per service port
  // the chains this sync keeps, needed only to find the stale ones among existing chains
  const activeChains = options.existingChains ? new Set<string>() : null;
  const ports = model.services.flatMap(s => s.ports).sort((a, b) => compareServicePorts(a.info, b.info));
  for (const entry of ports) {
    const sp = entry.info;
    const svc = sp.nameString;
    const protocol = sp.protocol.toLowerCase();
    const port = String(sp.port);
    const chains = nftServiceChains(sp);
    const flags = portFlags(sp);
    const cat = categorizeEndpoints(dedupEndpoints(entry.endpoints, nodeName), sp, nodeName, topology);
    const hasEndpoints = cat.hasAnyEndpoints;
    const epNames = new Map<string, ReturnType<typeof nftEndpointNames>>();
    const namesOf = (ep: EndpointInfo) => epNames.get(ep.key) ?? epNames.set(ep.key, nftEndpointNames(sp, ep.key)).get(ep.key)!;
    const own = { service: svc };
    const ensure = (name: string, endpoint?: string) => { activeChains?.add(name); t.chain(name, endpoint ? { ...own, endpoint } : own); };

    for (const ep of cat.allReachable) ensure(namesOf(ep).chain, ep.key);

    const usesClusterPolicyChain = cat.clusterEndpoints.length > 0 && flags.usesClusterEndpoints;
    if (usesClusterPolicyChain) ensure(chains.cluster);
    const usesLocalPolicyChain = cat.localEndpoints.length > 0 && flags.usesLocalEndpoints;
    if (usesLocalPolicyChain) ensure(chains.local);

    const internalTrafficChain = sp.internalPolicyLocal ? chains.local : chains.cluster;
    const hasInternalEndpoints = hasEndpoints && !(sp.internalPolicyLocal && cat.localEndpoints.length === 0);
    const externalPolicyChain = sp.externalPolicyLocal ? chains.local : chains.cluster;
    const hasExternalEndpoints = hasEndpoints && !(sp.externalPolicyLocal && cat.localEndpoints.length === 0);
    const externalTrafficChain = chains.external;
    const usesExternalTrafficChain = hasEndpoints && flags.externallyAccessible;
    if (usesExternalTrafficChain) ensure(externalTrafficChain);

    // "no endpoints at all" rejects; "no local endpoints" for a Local policy drops
    const internalVerdict = !hasEndpoints ? 'goto reject-chain' : 'drop';
    const externalVerdict = internalVerdict;

    // Capture the cluster IP.
    t.element('cluster-ips', { key: [sp.clusterIP], ...own });
    if (hasInternalEndpoints) {
      t.element('service-ips', { key: [sp.clusterIP, protocol, port], value: [`goto ${internalTrafficChain}`], ...own });
    } else {
      t.element('no-endpoint-services', { key: [sp.clusterIP, protocol, port], value: [internalVerdict], comment: svc, ...own });
    }

    // Capture externalIPs.
    for (const ip of sp.externalIPs) {
      if (hasEndpoints) t.element('service-ips', { key: [ip, protocol, port], value: [`goto ${externalTrafficChain}`], ...own });
      if (!hasExternalEndpoints) t.element('no-endpoint-services', { key: [ip, protocol, port], value: [externalVerdict], comment: svc, ...own });
    }

    // Capture load-balancer ingress; loadBalancerSourceRanges are checked before DNAT.
    const usesFWChain = sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
    if (usesFWChain) ensure(chains.firewall);
    for (const ip of sp.loadBalancerVIPs) {
      if (hasEndpoints) t.element('service-ips', { key: [ip, protocol, port], value: [`goto ${externalTrafficChain}`], ...own });
      if (usesFWChain) t.element('firewall-ips', { key: [ip, protocol, port], value: [`goto ${chains.firewall}`], ...own });
    }
    if (!hasExternalEndpoints) {
      for (const ip of sp.loadBalancerVIPs) t.element('no-endpoint-services', { key: [ip, protocol, port], value: [externalVerdict], comment: svc, ...own });
    }

    // Capture node ports (never subject to loadBalancerSourceRanges).
    if (sp.nodePort !== 0) {
      const key = [protocol, String(sp.nodePort)];
      if (hasEndpoints) t.element('service-nodeports', { key, value: [`goto ${externalTrafficChain}`], ...own });
      if (!hasExternalEndpoints) t.element('no-endpoint-nodeports', { key, value: [externalVerdict], comment: svc, ...own });
    }

    // Internal traffic: masquerade what does not come from a pod.
    if (hasInternalEndpoints) {
      if (profile.masqueradeAll) t.rule(internalTrafficChain, `${ipX} daddr ${sp.clusterIP} jump mark-for-masquerade`, own);
      else if (detector) t.rule(internalTrafficChain, `${ipX} daddr ${sp.clusterIP} ${detector.ifNotLocal} jump mark-for-masquerade`, own);
    }

    // External traffic chain.
    if (usesExternalTrafficChain) {
      if (!sp.externalPolicyLocal) {
        t.rule(externalTrafficChain, 'jump mark-for-masquerade', own);
      } else {
        if (detector) t.rule(externalTrafficChain, `${detector.ifLocal} goto ${chains.cluster}`, { comment: 'short-circuit pod traffic', ...own });
        t.rule(externalTrafficChain, 'fib saddr type local jump mark-for-masquerade', { comment: 'masquerade local traffic', ...own });
        t.rule(externalTrafficChain, `fib saddr type local goto ${chains.cluster}`, { comment: 'short-circuit local traffic', ...own });
      }
      if (hasExternalEndpoints) t.rule(externalTrafficChain, `goto ${externalPolicyChain}`, own);
    }

    // Firewall chain.
    if (usesFWChain) {
      const sources: string[] = [];
      let allowFromNode = false;
      for (const cidr of sp.loadBalancerSourceRanges) {
        if (sources.length > 0) sources.push(',');
        sources.push(cidr);
        const c = parseCIDR(cidr);
        if (c && nodeIP && cidrContains(c, nodeIP)) allowFromNode = true;
      }
      // the LB VIP is often a local address, so a node's own request arrives with it as source
      if (allowFromNode) for (const ip of sp.loadBalancerVIPs) sources.push(',', ip);
      t.rule(chains.firewall, `${ipX} saddr != { ${sources.join(' ')} } drop`, own);
    }

    // Affinity sets.
    if (sp.sessionAffinityClientIP) {
      for (const ep of cat.allReachable) {
        t.set({ name: namesOf(ep).affinitySet, type: ipvXAddr, flags: ['dynamic', 'timeout'], timeoutSeconds: sp.stickyMaxAgeSeconds, service: svc, endpoint: ep.key });
      }
    }

    const dispatch = (chain: string, eps: readonly EndpointInfo[]) => {
      if (sp.sessionAffinityClientIP) {
        for (const ep of eps) t.rule(chain, `${ipX} saddr @${namesOf(ep).affinitySet} goto ${namesOf(ep).chain}`, { ...own, endpoint: ep.key });
      }
      const elements = eps.map((ep, i) => `${i} : goto ${namesOf(ep).chain}`).join(' , ');
      t.rule(chain, `numgen random mod ${eps.length} vmap { ${elements} }`, own);
    };
    if (usesClusterPolicyChain) dispatch(chains.cluster, cat.clusterEndpoints);
    if (usesLocalPolicyChain) dispatch(chains.local, cat.localEndpoints);

    // Endpoint chains.
    for (const ep of cat.allReachable) {
      const names = namesOf(ep);
      const epOwn = { ...own, endpoint: ep.key };
      t.rule(names.chain, `${ipX} saddr ${ep.ip} jump mark-for-masquerade`, epOwn);
      if (sp.sessionAffinityClientIP) t.rule(names.chain, `update @${names.affinitySet} { ${ipX} saddr }`, epOwn);
      t.rule(names.chain, `meta l4proto ${protocol} dnat to ${ep.key}`, epOwn);
    }
  }

  // Stale service and endpoint chains are flushed now and deleted by a later sync.
  for (const chain of options.existingChains ?? []) {
    if (isServiceChainName(chain) && !activeChains!.has(chain)) t.chain(chain);
  }

  const table = t.table(family, 'rules for kube-proxy');
  const { lines, chunks } = dumpLines(table);
  let script: string | undefined;
  return {
    nodeName, family, table, lines, masqueradeMark: mark, nodePortsMatchAll: npa.matchAll,
    ruleset: chunks.join(''),
    // printed only for `natlens rules --format script` and the kernel tests: built on first use
    get script() { return script ??= scriptLines(table).map(l => l + '\n').join(''); },
  };
}

/** knftables.Concat: the non-empty arguments joined by single spaces. */
function concat(...parts: string[]): string {
  return parts.filter(p => p !== '').join(' ');
}


// ---------------------------------------------------------------------------------------------
// Printing, in knftables' syntax (Table/Chain/Rule/Set/Map/Element writeOperation with "add")

/** By name in UTF-16 code unit order (Go's string order for these ASCII names); sort()'s own order is that, without a comparator call per pair. */
function byName<T>(m: ReadonlyMap<string, T>): T[] {
  return [...m.keys()].sort().map(k => m.get(k)!);
}

const quote = (s: string) => `"${s}"`;

function tableText(t: NftTable): string {
  return `add table ${t.family} ${t.name} { comment ${quote(t.comment)} ; }`;
}

function chainText(t: NftTable, c: NftChain): string {
  const props: string[] = [];
  if (c.base) props.push(`type ${c.base.type} hook ${c.base.hook} priority ${c.base.priority} ; `);
  if (c.comment !== undefined) props.push(`comment ${quote(c.comment)} ; `);
  return `add chain ${t.family} ${t.name} ${c.name}${props.length ? ` { ${props.join('')}}` : ''}`;
}

function ruleText(t: NftTable, r: NftRule): string {
  return `add rule ${t.family} ${t.name} ${r.chain} ${r.rule}${r.comment !== undefined ? ` comment ${quote(r.comment)}` : ''}`;
}

function setText(t: NftTable, s: NftSet): string {
  const props = [`type ${s.type} ; `];
  if (s.flags?.length) props.push(`flags ${s.flags.join(',')} ; `);
  if (s.timeoutSeconds !== undefined) props.push(`timeout ${s.timeoutSeconds}s ; `);
  if (s.comment !== undefined) props.push(`comment ${quote(s.comment)} ; `);
  return `add ${s.kind} ${t.family} ${t.name} ${s.name} { ${props.join('')}}`;
}

function elementText(t: NftTable, container: string, e: NftElement): string {
  const comment = e.comment !== undefined ? ` comment ${quote(e.comment)}` : '';
  const value = e.value ? ` : ${e.value.join(' . ')}` : '';
  return `add element ${t.family} ${t.name} ${container} { ${e.key.join(' . ')}${comment}${value} }`;
}

type Line = { -readonly [K in keyof NftLine]: NftLine[K] };

/** A line with the Service and endpoint it belongs to (set directly: spreading them costs more than the text). */
function line(text: string, kind: NftObjectKind, object: string | null, o?: Attribution): Line {
  const out: Line = { text, kind, object };
  if (o?.service !== undefined) out.service = o.service;
  if (o?.endpoint !== undefined) out.endpoint = o.endpoint;
  return out;
}

/** Fake.Dump(): table; chains by name, each followed by its rules; sets, then maps, by name, each followed by its elements. */
function dumpLines(t: NftTable): ChunkedLines<Line> {
  const out = new ChunkedLines<Line>();
  out.add(line(tableText(t), 'table', null));
  for (const c of byName(t.chains)) {
    out.add(line(chainText(t, c), 'chain', c.name, c));
    for (const r of c.rules) out.add(line(ruleText(t, r), 'rule', c.name, r));
  }
  for (const s of [...byName(t.sets), ...byName(t.maps)]) {
    out.add(line(setText(t, s), s.kind, s.name, s));
    for (const e of s.elements) out.add(line(elementText(t, s.name, e), 'element', s.name, e));
  }
  out.flush();
  return out;
}

/** Declarations first (table, sets, maps, chains), then rules, then elements: loads with `nft -f`. */
function scriptLines(t: NftTable): string[] {
  const containers = [...byName(t.sets), ...byName(t.maps)];
  const chains = byName(t.chains);
  return [
    tableText(t),
    ...containers.map(s => setText(t, s)),
    ...chains.map(c => chainText(t, c)),
    ...chains.flatMap(c => c.rules.map(r => ruleText(t, r))),
    ...containers.flatMap(s => s.elements.map(e => elementText(t, s.name, e))),
  ];
}
