// What kube-proxy's IPVS mode keeps on one node after a full sync: the IPVS virtual servers and
// their real servers, the ipsets, and the iptables-restore payload it still writes (nat + filter).
//
// Mirrors pkg/proxy/ipvs/proxier.go syncProxyRules / writeIptablesRules / syncEndpoint of the
// stored upstream version that has KUBE-IPVS-OUT-FILTER, KUBE-IPVS-IPS and LoadBalancerIPMode
// (search index id 32359423, the v1.33/v1.34 line; kubernetes/kubernetes@531be812 itself is not
// stored, and the later split of cleanup code into cleanup.go leaves this logic unchanged), plus
// pkg/proxy/ipvs/ipset.go and pkg/proxy/ipvs/ipset/{ipset,types}.go. Upstream's unit tests
// (pkg/proxy/ipvs/proxier_test.go, index id 11084498) are the golden fixtures in test/golden/ipvs.
//
// kube-proxy walks services in Go map order (random); we walk them sorted by namespace, name, port
// name and protocol, like the iptables generator. Virtual servers keep that walk order; ipset
// entries are sorted like kube-proxy's sets.List().
//
// Read from proxier.go but stated by no upstream test (covered by our own tests in ipvs.test.ts):
//   * node addresses are the profile's node IPs plus the pod gateway a bridge/ptp CNI puts on the
//     host (netlink lists every local address except kube-ipvs0's; docker0 and the like are unknown
//     to the profile); with nodePortAddresses CIDRs, GetNodeIPs also sees kube-ipvs0's addresses
//     (steady state: the previous sync bound the same ones);
//   * two service ports asking for the same virtual server: the one walked last wins (kube-proxy's
//     is whichever its map order visits last);
//   * a source range with prefix length 0 is in kube-proxy's set but refused by the kernel;
//   * the iptables emission order, the jumps, the KUBE-IPVS-FILTER / KUBE-IPVS-OUT-FILTER rules.
import type { ClusterModel } from '../../model/cluster';
import type { ClusterProfile, NodeProfile } from '../../model/profile';
import { categorizeEndpoints, dedupEndpoints, type EndpointInfo } from '../../model/endpoints';
import { nodeTopology } from '../../model/topology';
import { canonicalIP, cidrContains, isLoopback, joinHostPort, parseCIDR, parseIP, type IP, type IPFamily } from '../../util/ip';
import type { JumpRule, PayloadLine, Table } from '../iptables/generator';
import { compareServicePorts, formatMark, iptablesLocalMatch, localTrafficDetector, nodePortCIDRs } from '../common';
import {
  CHAIN, DUMMY_DEVICE, FILTER_CHAINS, IPSET_HASHSIZE, IPSET_INFO, IPSET_MAXELEM, IPSET_PORT_RANGE, IPSET_RULES, NAT_CHAINS,
  ipsetName, type IpsetKey,
} from './names';
import { ipvsSettings, ipvsSysctls, type IpvsSettings, type IpvsSysctl } from './settings';
import { renderIpvsadmList, renderIpvsadmRules } from './ipvsadm';
import { renderIpsetSave } from './ipset';
import type { EndpointSelection, Ipset, IpsetEntry, IpvsRealServer, IpvsVirtualServer, VirtualServerKind } from './objects';

export type { EndpointSelection, Ipset, IpsetEntry, IpvsRealServer, IpvsVirtualServer, VirtualServerKind } from './objects';

/** utilipvs FlagPersistent / FlagSourceHash (kube-proxy never sets anything else; the kernel adds "hashed" 0x2). */
export const FLAG_PERSISTENT = 0x1;
export const FLAG_SOURCE_HASH = 0x10;

export interface IpvsIptables {
  /** The iptables-restore input kube-proxy writes with --noflush: "*nat … COMMIT\n*filter … COMMIT\n". */
  readonly payload: string;
  readonly lines: readonly PayloadLine[];
  /** Jumps from built-in chains that kube-proxy ensures (EnsureRule Prepend) outside the payload. */
  readonly jumps: readonly JumpRule[];
  readonly masqueradeMark: string;
}

export interface IpvsRuleset {
  readonly nodeName: string;
  readonly family: IPFamily;
  readonly settings: IpvsSettings;
  readonly virtualServers: readonly IpvsVirtualServer[];
  /** All 17 sets kube-proxy creates, in upstream's ipsetInfo order, empty ones included. */
  readonly ipsets: readonly Ipset[];
  /** Addresses bound to kube-ipvs0 (= the entries of KUBE-IPVS-IPS). */
  readonly dummyAddresses: readonly string[];
  /** The node addresses NodePort virtual servers are created on. */
  readonly nodePortAddresses: readonly { address: string; source: 'node' | 'podGateway' | 'kube-ipvs0' }[];
  readonly iptables: IpvsIptables;
  /** `ipvsadm -Ln` of the virtual servers (no traffic: connection counters are 0). */
  readonly ipvsadm: string;
  /** `ipvsadm-save -n` (`ipvsadm -S -n`): the same table as `ipvsadm -R` input. */
  readonly ipvsadmRules: string;
  /** `ipset save` of the sets (also valid `ipset restore` input). */
  readonly ipsetSave: string;
  readonly sysctls: readonly IpvsSysctl[];
  /** Services counted by sync_proxy_rules_no_local_endpoints_total (a Local policy with endpoints, none here). */
  readonly noLocalEndpoints: { readonly internal: readonly string[]; readonly external: readonly string[] };
}

export interface GenerateIpvsOptions {
  /** Node whose state is generated; the profile's node by default. */
  readonly nodeName?: string;
  /** Text of the masquerade mark; kube-proxy formats 1<<masqueradeBit with Go's "%#08x" (0x00004000). */
  readonly masqueradeMarkText?: string;
  /** Overrides for the IPVS settings (scheduler, strictARP, …) the profile does not carry yet. */
  readonly ipvs?: Partial<IpvsSettings>;
  /** Size printed in ipvsadm's header: the kernel's connection table size (2^CONFIG_IP_VS_TAB_BITS, default 4096). */
  readonly connTabSize?: number;
}

/** iptablesJumpChain: EnsureRule(Prepend) of "-m comment --comment <c> -j <to>" in a built-in chain. */
export const IPVS_JUMPS: readonly JumpRule[] = [
  jump('nat', 'OUTPUT', CHAIN.services, 'kubernetes service portals'),
  jump('nat', 'PREROUTING', CHAIN.services, 'kubernetes service portals'),
  jump('nat', 'POSTROUTING', CHAIN.postrouting, 'kubernetes postrouting rules'),
  jump('filter', 'FORWARD', CHAIN.forward, 'kubernetes forwarding rules'),
  jump('filter', 'INPUT', CHAIN.nodePort, 'kubernetes health check rules'),
  jump('filter', 'INPUT', CHAIN.proxyFirewall, 'kube-proxy firewall rules'),
  jump('filter', 'FORWARD', CHAIN.proxyFirewall, 'kube-proxy firewall rules'),
  jump('filter', 'INPUT', CHAIN.ipvsFilter, 'kubernetes ipvs access filter'),
  jump('filter', 'OUTPUT', CHAIN.ipvsOutFilter, 'kubernetes ipvs access filter'),
];

function jump(table: Table, chain: string, target: string, comment: string): JumpRule {
  return { table, chain, target, args: ['-m', 'comment', '--comment', comment, '-j', target] };
}

/**
 * The netlink handle's isValidForSet (TestIpIsValidForSet): an address of the proxier's family that
 * is not loopback, and for IPv6 not link-local unicast. Only such addresses count as node addresses.
 */
export function isValidForSet(ip: IP, family: IPFamily): boolean {
  if (ip.family !== family || isLoopback(ip)) return false;
  if (family === 'IPv6' && ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80) return false;
  return true;
}

/**
 * GetAllLocalAddressesExcept(kube-ipvs0) (TestGetNodeIPs): every valid local address of the family
 * on any device, minus the addresses that are also on the dummy device.
 */
export function nodeAddressSet(deviceAddresses: Readonly<Record<string, readonly string[]>>, family: IPFamily): string[] {
  const onDummy = new Set((deviceAddresses[DUMMY_DEVICE] ?? []).map(a => canonicalIP(a)).filter((a): a is string => a !== null));
  const out: string[] = [];
  for (const [dev, addrs] of Object.entries(deviceAddresses)) {
    if (dev === DUMMY_DEVICE) continue;
    for (const a of addrs) {
      const ip = parseIP(a);
      const text = canonicalIP(a);
      if (!ip || !text || !isValidForSet(ip, family) || onDummy.has(text) || out.includes(text)) continue;
      out.push(text);
    }
  }
  return out;
}

interface LocalDetector { readonly ifNotLocal: string }

/** The addresses on the node's own devices: its IPs and the pod gateway a bridge/ptp CNI puts on the host. */
function deviceAddresses(node: NodeProfile): { address: string; source: 'node' | 'podGateway' }[] {
  const out: { address: string; source: 'node' | 'podGateway' }[] = [];
  for (const a of node.ips) {
    const text = canonicalIP(a);
    if (text && !out.some(o => o.address === text)) out.push({ address: text, source: 'node' });
  }
  if (node.podGateway && node.podGateway !== 'none') {
    const text = canonicalIP(node.podGateway);
    if (text && !out.some(o => o.address === text)) out.push({ address: text, source: 'podGateway' });
  }
  return out;
}

class EntrySet {
  private readonly byText = new Map<string, IpsetEntry>();
  add(e: IpsetEntry): void { if (!this.byText.has(e.text)) this.byText.set(e.text, e); }
  /** Sorted like Go's sets.List() (byte order of the entry text). */
  list(): IpsetEntry[] { return [...this.byText.values()].sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0)); }
}

class LineBuffer {
  readonly lines: PayloadLine[] = [];
  constructor(private readonly table: Table) {}
  header(): void { this.lines.push({ text: `*${this.table}`, table: this.table, chain: null }); }
  chain(name: string): void { this.lines.push({ text: `:${name} - [0:0]`, table: this.table, chain: name }); }
  rule(chain: string, args: string): void { this.lines.push({ text: `-A ${chain} ${args}`, table: this.table, chain }); }
  commit(): void { this.lines.push({ text: 'COMMIT', table: this.table, chain: null }); }
}

export function generateIpvs(model: ClusterModel, options: GenerateIpvsOptions = {}): IpvsRuleset {
  const profile = model.profile;
  const family = profile.ipFamily;
  const nodeName = options.nodeName ?? profile.nodeName;
  // the node's zone and the node-hints gate, for CategorizeEndpoints
  const topology = nodeTopology(profile, nodeName);
  const node = profile.nodes.find(n => n.name === nodeName) ?? { name: nodeName, ips: [], podCIDR: null, podGateway: null };
  const settings = ipvsSettings(profile, options.ipvs);
  const mark = options.masqueradeMarkText ?? formatMark(profile.masqueradeBit);
  const local = localTrafficDetector(profile, profile.nodes.find(n => n.name === nodeName));
  const detector = local ? iptablesLocalMatch(local) : null;
  const nodeIP = parseIP(node.ips.find(ip => parseIP(ip)?.family === family) ?? '');

  const sets = new Map<IpsetKey, EntrySet>(IPSET_INFO.map(i => [i.key, new EntrySet()]));
  const set = (key: IpsetKey) => sets.get(key)!;

  // Node addresses (netlink GetAllLocalAddressesExcept(kube-ipvs0)), valid for this family.
  const devices = deviceAddresses(node).filter(d => isValidForSet(parseIP(d.address)!, family));
  const nodeAddresses = new Set(devices.map(d => d.address));

  const ports = model.services.flatMap(s => s.ports).sort((a, b) => compareServicePorts(a.info, b.info));

  // kube-ipvs0 holds every cluster IP and every external/LB IP that is not already a node address.
  // We need it before the walk for nodePortAddresses CIDRs: GetNodeIPs lists every interface,
  // kube-ipvs0 included (as bound by the previous sync; steady state assumed).
  const dummy = new Set<string>();
  for (const { info: sp } of ports) {
    dummy.add(sp.clusterIP);
    for (const ip of [...sp.externalIPs, ...sp.loadBalancerVIPs]) if (!nodeAddresses.has(ip)) dummy.add(ip);
  }

  // The node IPs NodePort virtual servers listen on.
  let nodePortIPs: { address: string; source: 'node' | 'podGateway' | 'kube-ipvs0' }[] = [];
  if (ports.some(p => p.info.nodePort !== 0)) {
    const npa = nodePortCIDRs(profile, node);
    if (npa.matchAll) nodePortIPs = devices;
    else {
      const candidates: { address: string; source: 'node' | 'podGateway' | 'kube-ipvs0' }[] = [
        ...deviceAddresses(node), ...[...dummy].map(address => ({ address, source: 'kube-ipvs0' as const })),
      ];
      nodePortIPs = candidates.filter((c, i) => {
        const ip = parseIP(c.address);
        return ip !== null && ip.family === family && !isLoopback(ip) && npa.cidrs.some(cidr => cidrContains(cidr, ip))
          && candidates.findIndex(o => o.address === c.address) === i;
      });
    }
  }

  const virtualServers = new Map<string, IpvsVirtualServer>();
  const noLocalInternal = new Set<string>();
  const noLocalExternal = new Set<string>();
  const lbNoNodeAccess: { ip: string; protocol: string; port: number }[] = [];
  const boundAddrs = new Set<string>();

  for (const entry of ports) {
    const sp = entry.info;
    const svc = sp.nameString;
    const proto = sp.protocol.toLowerCase();
    const endpoints = dedupEndpoints(entry.endpoints, nodeName);
    const cat = categorizeEndpoints(endpoints, sp, nodeName, topology);

    // Hairpin: every local endpoint (whatever its readiness) may reach itself through a VIP.
    for (const ep of endpoints) {
      if (ep.nodeName !== nodeName || !ep.ip || !ep.port) continue;
      set('loopBack').add({ text: `${ep.ip},${proto}:${ep.port},${ep.ip}`, service: svc, endpoint: ep.key });
    }

    const addVS = (kind: VirtualServerKind, address: string, port: number, bound: boolean, onlyLocal: boolean) => {
      const { servers, selection } = realServers(cat, onlyLocal, nodeName);
      if (onlyLocal && selection === 'local-fallback-to-cluster' && cat.hasAnyEndpoints) {
        const nsn = `${sp.namespace}/${sp.serviceName}`;
        if (sp.internalPolicyLocal) noLocalInternal.add(nsn);
        if (sp.externalPolicyLocal) noLocalExternal.add(nsn);
      }
      const flags = (sp.sessionAffinityClientIP ? FLAG_PERSISTENT : 0) | (settings.scheduler === 'mh' ? FLAG_SOURCE_HASH : 0);
      const key = `${joinHostPort(address, port)}/${sp.protocol}`;
      if (bound) boundAddrs.add(address);
      const previous = virtualServers.get(key);
      if (previous) virtualServers.delete(key);
      virtualServers.set(key, {
        kind, service: svc, portIndex: sp.portIndex, address, port, protocol: sp.protocol, scheduler: settings.scheduler,
        flags, timeout: sp.sessionAffinityClientIP ? sp.stickyMaxAgeSeconds : 0, key, boundToDummy: bound, selection,
        realServers: servers, alsoClaimedBy: previous ? [...previous.alsoClaimedBy, previous.service] : [],
      });
    };

    // Cluster IP: internalTrafficPolicy decides the endpoints.
    set('clusterIP').add({ text: `${sp.clusterIP},${proto}:${sp.port}`, service: svc });
    addVS('clusterIP', sp.clusterIP, sp.port, true, sp.internalPolicyLocal);

    // External IPs: SNAT unless externalTrafficPolicy is Local.
    for (const ip of sp.externalIPs) {
      set(sp.externalPolicyLocal ? 'externalIPLocal' : 'externalIP').add({ text: `${ip},${proto}:${sp.port}`, service: svc });
      addVS('externalIP', ip, sp.port, !nodeAddresses.has(ip), sp.externalPolicyLocal);
    }

    // Load-balancer ingress IPs (ipMode Proxy already left out by the model).
    for (const ip of sp.loadBalancerVIPs) {
      const text = `${ip},${proto}:${sp.port}`;
      set('loadBalancer').add({ text, service: svc });
      if (sp.externalPolicyLocal) set('loadBalancerLocal').add({ text, service: svc });
      if (sp.loadBalancerSourceRanges.length > 0) {
        set('loadBalancerFW').add({ text, service: svc });
        let allowFromNode = false;
        for (const cidr of sp.loadBalancerSourceRanges) {
          const c = parseCIDR(cidr)!;
          set('loadBalancerSourceCIDR').add({
            text: `${text},${cidr}`, service: svc,
            kernelRejects: c.prefix === 0 ? 'hash:ip,port,net cannot store a network with prefix length 0 (ipset: "The value of the CIDR parameter of the IP address is invalid"); this source range never matches' : undefined,
          });
          if (nodeIP && cidrContains(c, nodeIP)) allowFromNode = true;
        }
        // Requests from the LB's own backends loop back to the node with the LB IP as source.
        if (allowFromNode) set('loadBalancerSourceIP').add({ text: `${text},${ip}`, service: svc });
        else lbNoNodeAccess.push({ ip, protocol: proto, port: sp.port });
      }
      addVS('loadBalancer', ip, sp.port, !nodeAddresses.has(ip), sp.externalPolicyLocal);
    }

    if (sp.nodePort !== 0) {
      // No node address to listen on: kube-proxy skips the rest of this service port, health check included.
      if (nodePortIPs.length === 0) continue;
      const entries = sp.protocol === 'SCTP'
        ? nodePortIPs.map(n => `${n.address},sctp:${sp.nodePort}`)
        : [String(sp.nodePort)];
      const plain: IpsetKey = sp.protocol === 'TCP' ? 'nodePortTCP' : sp.protocol === 'UDP' ? 'nodePortUDP' : 'nodePortSCTP';
      const local: IpsetKey = sp.protocol === 'TCP' ? 'nodePortLocalTCP' : sp.protocol === 'UDP' ? 'nodePortLocalUDP' : 'nodePortLocalSCTP';
      for (const text of entries) set(plain).add({ text, service: svc });
      if (sp.externalPolicyLocal) for (const text of entries) set(local).add({ text, service: svc });
      for (const n of nodePortIPs) addVS('nodePort', n.address, sp.nodePort, false, sp.externalPolicyLocal);
    }

    if (sp.healthCheckNodePort !== 0) set('healthCheckNodePort').add({ text: String(sp.healthCheckNodePort), service: svc });
  }

  // KUBE-IPVS-IPS = the addresses bound to kube-ipvs0 in this sync (activeBindAddrs).
  for (const a of boundAddrs) set('ipvsIPs').add({ text: a });

  const ipsets: Ipset[] = IPSET_INFO.map(info => ({
    key: info.key,
    name: ipsetName(info.key, family),
    type: info.type,
    family: info.type === 'bitmap:port' ? null : family === 'IPv4' ? 'inet' : 'inet6',
    hashsize: IPSET_HASHSIZE,
    maxelem: IPSET_MAXELEM,
    range: IPSET_PORT_RANGE,
    comment: info.comment,
    entries: info.type === 'bitmap:port'
      ? set(info.key).list().sort((a, b) => Number(a.text) - Number(b.text))
      : set(info.key).list(),
  }));
  const setByKey = new Map(ipsets.map(s => [s.key, s]));

  const iptables = writeIptablesRules(profile, setByKey, detector, mark, lbNoNodeAccess);
  const vsList = [...virtualServers.values()];
  const connTabSize = options.connTabSize ?? 4096;
  return {
    nodeName, family, settings,
    virtualServers: vsList,
    ipsets,
    dummyAddresses: set('ipvsIPs').list().map(e => e.text),
    nodePortAddresses: nodePortIPs,
    iptables,
    ipvsadm: renderIpvsadmList(vsList, connTabSize),
    ipvsadmRules: renderIpvsadmRules(vsList),
    ipsetSave: renderIpsetSave(ipsets),
    sysctls: ipvsSysctls(settings),
    noLocalEndpoints: { internal: [...noLocalInternal].sort(), external: [...noLocalExternal].sort() },
  };
}

/** syncEndpoint: which endpoints become real servers of one virtual server. */
function realServers(cat: ReturnType<typeof categorizeEndpoints>, onlyLocal: boolean, nodeName: string): { servers: IpvsRealServer[]; selection: EndpointSelection } {
  let chosen: readonly EndpointInfo[];
  let selection: EndpointSelection;
  if (onlyLocal && cat.localEndpoints.length > 0) { chosen = cat.localEndpoints; selection = 'local'; }
  else if (onlyLocal) { chosen = cat.clusterEndpoints; selection = 'local-fallback-to-cluster'; }
  else { chosen = cat.clusterEndpoints; selection = 'cluster'; }
  const byKey = new Map<string, IpvsRealServer>();
  for (const ep of chosen) {
    if (byKey.has(ep.key)) continue;
    byKey.set(ep.key, {
      address: ep.ip, port: ep.port, weight: 1, key: ep.key, nodeName: ep.nodeName, local: ep.nodeName === nodeName,
      ready: ep.ready, serving: ep.serving, terminating: ep.terminating,
    });
  }
  const servers = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { servers, selection };
}

function writeIptablesRules(
  profile: ClusterProfile, sets: ReadonlyMap<IpsetKey, Ipset>, detector: LocalDetector | null, mark: string,
  lbNoNodeAccess: readonly { ip: string; protocol: string; port: number }[],
): IpvsIptables {
  const natChains = new LineBuffer('nat');
  const natRules = new LineBuffer('nat');
  const filterChains = new LineBuffer('filter');
  const filterRules = new LineBuffer('filter');
  const name = (key: IpsetKey) => sets.get(key)!.name;
  const empty = (key: IpsetKey) => sets.get(key)!.entries.length === 0;
  const comment = (key: IpsetKey) => `-m comment --comment "${sets.get(key)!.comment}"`;

  natChains.header();
  for (const c of NAT_CHAINS) natChains.chain(c);
  filterChains.header();
  for (const c of FILTER_CHAINS) filterChains.chain(c);

  // Dismiss connections from localhost early.
  natRules.rule(CHAIN.services, `-s ${profile.ipFamily === 'IPv6' ? '::1/128' : '127.0.0.0/8'} -j RETURN`);

  for (const r of IPSET_RULES) {
    if (empty(r.key)) continue;
    const args = `${r.protocol ? `-p ${r.protocol} ` : ''}${comment(r.key)} -m set --match-set ${name(r.key)} ${r.matchType} -j ${r.to}`;
    (r.table === 'filter' ? filterRules : natRules).rule(r.from, args);
  }

  if (!empty('clusterIP')) {
    const head = `${comment('clusterIP')} -m set --match-set ${name('clusterIP')}`;
    if (profile.masqueradeAll) natRules.rule(CHAIN.services, `${head} dst,dst -j ${CHAIN.markMasq}`);
    else if (detector) natRules.rule(CHAIN.services, `${head} dst,dst ${detector.ifNotLocal} -j ${CHAIN.markMasq}`);
    // No local-traffic detector: masquerade node-originated traffic whose source is a VIP.
    else natRules.rule(CHAIN.services, `${head} src,dst -j ${CHAIN.markMasq}`);
  }

  // External IPs: accept traffic from off the node (not from a bridge port, not locally generated)
  // and traffic to external IPs that are local addresses.
  const externalIPRules = (head: string) => {
    natRules.rule(CHAIN.services, `${head} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    natRules.rule(CHAIN.services, `${head} -m addrtype --dst-type LOCAL -j ACCEPT`);
  };
  if (!empty('externalIP')) {
    const head = `${comment('externalIP')} -m set --match-set ${name('externalIP')} dst,dst`;
    natRules.rule(CHAIN.services, `${head} -j ${CHAIN.markMasq}`);
    externalIPRules(head);
  }
  if (!empty('externalIPLocal')) externalIPRules(`${comment('externalIPLocal')} -m set --match-set ${name('externalIPLocal')} dst,dst`);

  natRules.rule(CHAIN.services, `-m addrtype --dst-type LOCAL -j ${CHAIN.nodePort}`);
  natRules.rule(CHAIN.loadBalancer, `-j ${CHAIN.markMasq}`);
  filterRules.rule(CHAIN.sourceRangesFirewall, '-j DROP');

  // The node itself may not reach an LB IP whose source ranges do not include the node IP.
  for (const e of lbNoNodeAccess) {
    filterRules.rule(CHAIN.ipvsOutFilter, `-s ${e.ip} -m ipvs --vaddr ${e.ip} --vproto ${e.protocol} --vport ${e.port} -j DROP`);
  }

  // acceptIPVSTraffic: accept what IPVS will take, at the end of KUBE-SERVICES.
  for (const key of ['clusterIP', 'loadBalancer'] as const) {
    if (!empty(key)) natRules.rule(CHAIN.services, `-m set --match-set ${name(key)} dst,dst -j ACCEPT`);
  }

  filterRules.rule(CHAIN.forward, `-m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filterRules.rule(CHAIN.forward, '-m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  filterRules.rule(CHAIN.nodePort, `${comment('healthCheckNodePort')} -m set --match-set ${name('healthCheckNodePort')} dst -j ACCEPT`);

  // KUBE-IPVS-FILTER: VIPs answer only on their service ports (kubernetes/kubernetes#72236).
  filterRules.rule(CHAIN.ipvsFilter, `-m set --match-set ${name('loadBalancer')} dst,dst -j RETURN`);
  filterRules.rule(CHAIN.ipvsFilter, `-m set --match-set ${name('clusterIP')} dst,dst -j RETURN`);
  filterRules.rule(CHAIN.ipvsFilter, `-m set --match-set ${name('externalIP')} dst,dst -j RETURN`);
  filterRules.rule(CHAIN.ipvsFilter, `-m set --match-set ${name('externalIPLocal')} dst,dst -j RETURN`);
  filterRules.rule(CHAIN.ipvsFilter, `-m set --match-set ${name('healthCheckNodePort')} dst -j RETURN`);
  filterRules.rule(CHAIN.ipvsFilter, `-m conntrack --ctstate NEW -m set --match-set ${name('ipvsIPs')} dst -j REJECT`);

  natRules.rule(CHAIN.postrouting, `-m mark ! --mark ${mark}/${mark} -j RETURN`);
  natRules.rule(CHAIN.postrouting, `-j MARK --xor-mark ${mark}`);
  natRules.rule(CHAIN.postrouting, `-m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${profile.iptablesRandomFully ? ' --random-fully' : ''}`);
  natRules.rule(CHAIN.markMasq, `-j MARK --or-mark ${mark}`);

  filterRules.commit();
  natRules.commit();
  const lines = [...natChains.lines, ...natRules.lines, ...filterChains.lines, ...filterRules.lines];
  return { payload: lines.map(l => l.text).join('\n') + '\n', lines, jumps: IPVS_JUMPS, masqueradeMark: mark };
}
