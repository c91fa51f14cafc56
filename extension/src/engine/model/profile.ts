// The cluster profile: the node whose rules are generated and kube-proxy's settings. Every field is
// optional; defaults are kube-proxy's (pkg/proxy/apis/config defaults), except where kube-proxy has
// none: the node's name and addresses, and clusterCIDR (kube-proxy's default is empty, which turns
// the local-traffic detector off; we assume kubeadm/flannel's conventional 10.244.0.0/16 instead,
// because that is what most clusters run with).
import { LineIndex } from '../manifest/source';
import { parseYamlDocuments } from '../manifest/yamlAdapter';
import { isRecord, type ManifestProblem } from '../manifest/manifest';
import { formatIP, offsetIP, parseCIDR, parseIP, type IPFamily } from '../util/ip';
import { dns1123Subdomain } from '../validate/formats';
import { formatDetailEn } from '../i18n/model.en';
import { DEFAULT_CNI_PROFILE, resolveCniProfile, type CniProfile } from '../egress/profile';

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';
export type DetectLocalMode = 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix' | 'None';

export interface NodeProfile {
  readonly name: string;
  /** Node addresses, primary first. */
  readonly ips: readonly string[];
  /** The node's pod CIDR (spec.podCIDR); null when unknown. */
  readonly podCIDR: string | null;
  /**
   * Address the CNI gives the host side of each pod link: a bridge/ptp CNI (flannel, kindnet, the
   * bridge plugin) gives one, e.g. 10.244.1.1; a Calico-like CNI gives none ("none"), and then
   * MASQUERADE towards a local pod picks the node address. Default: the first host address of podCIDR.
   */
  readonly podGateway: string | 'none' | null;
  /** The node's topology.kubernetes.io/zone label; absent: no zone (kube-proxy then ignores zone hints). */
  readonly zone?: string;
  /** status.allocatable.cpu in millicores, from a Node object (topology-mode Auto weighs zones by it). */
  readonly allocatableMilliCPU?: number;
  /** A Node object's labels (the topology hints leave out control-plane nodes). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ClusterProfile {
  /** The Kubernetes release whose kube-proxy the rules follow ("1.34"); the reference harness refuses others. */
  readonly kubernetesVersion: string;
  readonly proxyMode: ProxyMode;
  readonly ipFamily: IPFamily;
  readonly nodeName: string;
  readonly nodeIPs: readonly string[];
  readonly clusterCIDR: string | null;
  readonly detectLocalMode: DetectLocalMode;
  /** detectLocal.bridgeInterface (--pod-bridge-interface): the bridge of the node's pods, for BridgeInterface mode. */
  readonly bridgeInterface?: string;
  /** detectLocal.interfaceNamePrefix (--pod-interface-name-prefix): the prefix of pod interfaces, for InterfaceNamePrefix mode. */
  readonly interfaceNamePrefix?: string;
  readonly masqueradeAll: boolean;
  readonly masqueradeBit: number;
  readonly localhostNodePorts: boolean;
  readonly nodePortAddresses: readonly string[];
  readonly iptablesRandomFully: boolean;
  readonly nfacctCounters: readonly string[];
  readonly conntrackTCPLiberal: boolean;
  readonly serviceCIDRs: readonly string[];
  readonly nodePortRange: { readonly min: number; readonly max: number };
  readonly allocate: boolean;
  /** kube-proxy's ipvs.* settings (IPVS mode only). */
  readonly ipvsScheduler: string;
  readonly ipvsStrictARP: boolean;
  readonly ipvsExcludeCIDRs: readonly string[];
  readonly ipvsTCPTimeout: number;
  readonly ipvsTCPFinTimeout: number;
  readonly ipvsUDPTimeout: number;
  /** The CNI and its egress masquerade settings (see docs/egress.md). */
  readonly cni: CniProfile;
  /** Every node of the cluster, this profile's own node first. */
  readonly nodes: readonly NodeProfile[];
  /** Where each setting was read (a snapshot's profile): field → its source, or "unknown, because …". */
  readonly sources?: Readonly<Record<string, string>>;
  /** The live cluster a snapshot's profile was read from (natlens snapshot, Connect to Cluster). */
  readonly snapshot?: SnapshotInfo;
}

export interface SnapshotInfo {
  /** The kubeconfig context the surfaces name ("in cluster prod-eu"). */
  readonly cluster: string;
  readonly server?: string;
  /** /version gitVersion, or "unknown". */
  readonly serverVersion: string;
  /** ISO 8601 time the snapshot was taken. */
  readonly takenAt: string;
  readonly tookMs: number;
  /** What could not be read, one line each. */
  readonly unreadable?: readonly string[];
}

/** The release NAT Lens models: kube-proxy's rules as of the v1.34 line (test/reference pins the exact patch). */
export const MODELLED_KUBERNETES_VERSION = '1.34';

export const DEFAULT_PROFILE: ClusterProfile = {
  kubernetesVersion: MODELLED_KUBERNETES_VERSION,
  proxyMode: 'iptables',
  ipFamily: 'IPv4',
  nodeName: 'node-a',
  nodeIPs: ['192.168.0.2'],
  clusterCIDR: '10.244.0.0/16',
  detectLocalMode: 'ClusterCIDR',
  masqueradeAll: false,
  masqueradeBit: 14,
  localhostNodePorts: true,
  nodePortAddresses: [],
  iptablesRandomFully: true,
  nfacctCounters: [],
  conntrackTCPLiberal: false,
  serviceCIDRs: ['10.96.0.0/12'],
  nodePortRange: { min: 30000, max: 32767 },
  allocate: true,
  ipvsScheduler: 'rr',
  ipvsStrictARP: false,
  ipvsExcludeCIDRs: [],
  ipvsTCPTimeout: 0,
  ipvsTCPFinTimeout: 0,
  ipvsUDPTimeout: 0,
  cni: DEFAULT_CNI_PROFILE,
  nodes: [{ name: 'node-a', ips: ['192.168.0.2'], podCIDR: '10.244.0.0/24', podGateway: '10.244.0.1' }],
};

/** The nfacct counters kube-proxy's iptables mode uses (pkg/proxy/metrics). */
export const NFACCT_COUNTERS = ['ct_state_invalid_dropped_pkts', 'localhost_nps_accepted_pkts'] as const;

export interface ProfileResult {
  readonly profile: ClusterProfile;
  readonly problems: ManifestProblem[];
}

type Raw = Record<string, unknown>;

/** nftables mode defaults to the primary node IP (cmd/kube-proxy/app/server_linux.go platformApplyDefaults). */
function modeNodePortAddresses(mode: ProxyMode): readonly string[] {
  return mode === 'nftables' ? ['primary'] : DEFAULT_PROFILE.nodePortAddresses;
}

/**
 * The profile as kube-proxy in another mode reads it (the CLI's --mode, the natlens.proxyMode setting,
 * the preview's mode switch): a nodePortAddresses left at the old mode's default takes the new one's.
 */
export function withProxyMode(profile: ClusterProfile, mode: ProxyMode): ClusterProfile {
  if (mode === profile.proxyMode) return profile;
  const atDefault = profile.nodePortAddresses.join() === modeNodePortAddresses(profile.proxyMode).join();
  return { ...profile, proxyMode: mode, nodePortAddresses: atDefault ? modeNodePortAddresses(mode) : profile.nodePortAddresses };
}

export function parseProfile(text: string, fileName = 'profile'): ProfileResult {
  const lines = new LineIndex(text);
  const docs = parseYamlDocuments(text, lines);
  const problems: ManifestProblem[] = [];
  for (const d of docs) for (const p of d.problems) problems.push({ code: 'yaml-syntax', severity: p.severity, message: `YAML: ${p.message}`, range: p.range });
  const doc = docs.find(d => d.value !== undefined && d.value !== null);
  if (problems.some(p => p.severity === 'error') || !doc) return { profile: DEFAULT_PROFILE, problems };
  if (!isRecord(doc.value)) {
    problems.push({ code: 'profile-shape', severity: 'error', range: doc.range, message: `${fileName}: a cluster profile is a mapping of settings` });
    return { profile: DEFAULT_PROFILE, problems };
  }
  return resolveProfile(doc.value, (path, message) => problems.push({
    code: 'profile-invalid', severity: 'error', message, range: doc.rangeOf(path, 'value') ?? doc.range,
  }), problems);
}

type Report = (path: (string | number)[], message: string) => void;

const FIELDS = [
  'kubernetesVersion', 'proxyMode', 'ipFamily', 'nodeName', 'nodeIPs', 'clusterCIDR', 'detectLocalMode', 'bridgeInterface', 'interfaceNamePrefix', 'masqueradeAll', 'masqueradeBit',
  'localhostNodePorts', 'nodePortAddresses', 'iptablesRandomFully', 'nfacctCounters', 'conntrackTCPLiberal',
  'serviceCIDRs', 'nodePortRange', 'allocate', 'nodes',
  'ipvsScheduler', 'ipvsStrictARP', 'ipvsExcludeCIDRs', 'ipvsTCPTimeout', 'ipvsTCPFinTimeout', 'ipvsUDPTimeout', 'cni',
  'sources', 'snapshot',
] as const;

/** Applies defaults to already-decoded settings (a profile file, or inline values from VS Code settings). */
export function resolveProfile(raw: Raw, report: Report, problems: ManifestProblem[] = []): ProfileResult {
  for (const key of Object.keys(raw)) {
    if (!(FIELDS as readonly string[]).includes(key)) report([key], `Unknown profile field "${key}"; known fields: ${FIELDS.join(', ')}`);
  }
  const d = DEFAULT_PROFILE;
  const pick = <T>(key: (typeof FIELDS)[number], check: (v: unknown) => T | undefined, expected: string, fallback: T): T => {
    if (!(key in raw) || raw[key] === undefined) return fallback;
    const v = check(raw[key]);
    if (v === undefined) { report([key], `${key}: expected ${expected}, got ${JSON.stringify(raw[key])}`); return fallback; }
    return v;
  };
  const oneOf = <T extends string>(values: readonly T[]) => (v: unknown) => (values as readonly unknown[]).includes(v) ? (v as T) : undefined;
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const list = <T>(item: (v: unknown) => T | undefined) => (v: unknown) => {
    if (!Array.isArray(v)) return undefined;
    const out = v.map(item);
    return out.every(x => x !== undefined) ? (out as T[]) : undefined;
  };
  const ip = (v: unknown) => (typeof v === 'string' && parseIP(v) ? v : undefined);
  const cidr = (v: unknown) => (typeof v === 'string' && parseCIDR(v) ? v : undefined);

  const kubernetesVersion = pick('kubernetesVersion', v => (typeof v === 'string' && /^v?\d+\.\d+(\.\d+)?$/.test(v) ? v : undefined), 'a Kubernetes version such as 1.34', d.kubernetesVersion);
  const proxyMode = pick('proxyMode', oneOf(['iptables', 'nftables', 'ipvs'] as const), 'iptables, nftables or ipvs', d.proxyMode);
  const ipFamily = pick('ipFamily', oneOf(['IPv4', 'IPv6'] as const), 'IPv4 or IPv6', d.ipFamily);
  const nodeName = pick('nodeName', str, 'a node name', d.nodeName);
  const nodeIPs = pick('nodeIPs', list(ip), 'a list of IP addresses', ipFamily === 'IPv6' && !('nodeIPs' in raw) ? ['fd00::2'] : d.nodeIPs);
  const clusterCIDR = 'clusterCIDR' in raw && raw['clusterCIDR'] === null ? null
    : pick('clusterCIDR', cidr, 'a CIDR or null', ipFamily === 'IPv6' ? 'fd00:10:244::/56' : d.clusterCIDR);
  const detectLocalMode = pick('detectLocalMode', oneOf(['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', 'None'] as const), 'ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix or None', d.detectLocalMode);
  // pkg/proxy/apis/config/validation validateInterface: the mode needs its interface, non-empty
  const iface = (v: unknown) => (typeof v === 'string' && v !== '' && !/\s/.test(v) && v.length <= 15 ? v : undefined);
  const bridgeInterface = pick('bridgeInterface', iface, 'an interface name such as cni0', undefined);
  const interfaceNamePrefix = pick('interfaceNamePrefix', iface, 'an interface name prefix such as veth', undefined);
  if (detectLocalMode === 'BridgeInterface' && !bridgeInterface) report(['detectLocalMode'], 'detectLocalMode BridgeInterface needs bridgeInterface (kube-proxy --pod-bridge-interface)');
  if (detectLocalMode === 'InterfaceNamePrefix' && !interfaceNamePrefix) report(['detectLocalMode'], 'detectLocalMode InterfaceNamePrefix needs interfaceNamePrefix (kube-proxy --pod-interface-name-prefix)');
  const masqueradeAll = pick('masqueradeAll', bool, 'true or false', d.masqueradeAll);
  const masqueradeBit = pick('masqueradeBit', v => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 31 ? (v as number) : undefined), 'an integer 0..31', d.masqueradeBit);
  const localhostNodePorts = pick('localhostNodePorts', bool, 'true or false', d.localhostNodePorts);
  const nodePortAddresses = pick('nodePortAddresses', list(v => (v === 'primary' ? v : cidr(v))), 'a list of CIDRs, or ["primary"]', modeNodePortAddresses(proxyMode));
  const iptablesRandomFully = pick('iptablesRandomFully', bool, 'true or false', d.iptablesRandomFully);
  const nfacctCounters = pick('nfacctCounters', list(oneOf(NFACCT_COUNTERS)), `a list of ${NFACCT_COUNTERS.join(', ')}`, d.nfacctCounters);
  const conntrackTCPLiberal = pick('conntrackTCPLiberal', bool, 'true or false', d.conntrackTCPLiberal);
  const serviceCIDRs = pick('serviceCIDRs', list(cidr), 'a list of CIDRs', ipFamily === 'IPv6' && !('serviceCIDRs' in raw) ? ['fd00:10:96::/112'] : d.serviceCIDRs);
  const nodePortRange = pick('nodePortRange', parsePortRange, 'a range like 30000-32767', d.nodePortRange);
  const allocate = pick('allocate', bool, 'true or false', d.allocate);
  const seconds = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
  const ipvsScheduler = pick('ipvsScheduler', v => (typeof v === 'string' ? v || 'rr' : undefined), 'an IPVS scheduler such as rr, lc, mh', d.ipvsScheduler);
  const ipvsStrictARP = pick('ipvsStrictARP', bool, 'true or false', d.ipvsStrictARP);
  const ipvsExcludeCIDRs = pick('ipvsExcludeCIDRs', list(cidr), 'a list of CIDRs', d.ipvsExcludeCIDRs);
  const ipvsTCPTimeout = pick('ipvsTCPTimeout', seconds, 'seconds (0 keeps the kernel default)', d.ipvsTCPTimeout);
  const ipvsTCPFinTimeout = pick('ipvsTCPFinTimeout', seconds, 'seconds (0 keeps the kernel default)', d.ipvsTCPFinTimeout);
  const ipvsUDPTimeout = pick('ipvsUDPTimeout', seconds, 'seconds (0 keeps the kernel default)', d.ipvsUDPTimeout);
  const cni = 'cni' in raw ? resolveCniProfile(raw['cni'], (path, message) => report(['cni', ...path], message)) : d.cni;
  const nodes = resolveNodes(raw['nodes'], nodeName, nodeIPs, clusterCIDR, report);
  const sources = pick('sources', v => (isRecord(v) && Object.values(v).every(x => typeof x === 'string') ? (v as Record<string, string>) : undefined), 'a mapping of setting to source', undefined);
  const snapshot = pick('snapshot', parseSnapshotInfo, 'a mapping with cluster, serverVersion, takenAt and tookMs', undefined);
  return {
    profile: {
      kubernetesVersion, proxyMode, ipFamily, nodeName, nodeIPs, clusterCIDR, detectLocalMode,
      ...(bridgeInterface ? { bridgeInterface } : {}), ...(interfaceNamePrefix ? { interfaceNamePrefix } : {}), masqueradeAll, masqueradeBit, localhostNodePorts,
      nodePortAddresses, iptablesRandomFully, nfacctCounters, conntrackTCPLiberal, serviceCIDRs, nodePortRange, allocate,
      ipvsScheduler, ipvsStrictARP, ipvsExcludeCIDRs, ipvsTCPTimeout, ipvsTCPFinTimeout, ipvsUDPTimeout, cni, nodes,
      ...(sources ? { sources } : {}), ...(snapshot ? { snapshot } : {}),
    },
    problems,
  };
}

function parseSnapshotInfo(v: unknown): SnapshotInfo | undefined {
  if (!isRecord(v) || typeof v['cluster'] !== 'string' || typeof v['serverVersion'] !== 'string' || typeof v['takenAt'] !== 'string' || typeof v['tookMs'] !== 'number') return undefined;
  const unreadable = v['unreadable'];
  if (unreadable !== undefined && !(Array.isArray(unreadable) && unreadable.every(x => typeof x === 'string'))) return undefined;
  return {
    cluster: v['cluster'], serverVersion: v['serverVersion'], takenAt: v['takenAt'], tookMs: v['tookMs'],
    ...(typeof v['server'] === 'string' ? { server: v['server'] } : {}), ...(unreadable ? { unreadable: unreadable as string[] } : {}),
  };
}

function parsePortRange(v: unknown): { min: number; max: number } | undefined {
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  const min = Number(m[1]), max = Number(m[2]);
  return min >= 1 && max <= 65535 && min <= max ? { min, max } : undefined;
}

/** Nodes one profile may list: twice Kubernetes' tested limit of 5,000, the 10,000 issue 17 asks to model (facts walk classes of alike nodes). */
export const MAX_NODES = 10_000;

function resolveNodes(raw: unknown, nodeName: string, nodeIPs: readonly string[], clusterCIDR: string | null, report: Report): NodeProfile[] {
  const given: Raw[] = [];
  const names = new Set<string>();
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) report(['nodes'], 'nodes: expected a list of { name, ips, podCIDR, podGateway, zone }');
    else raw.forEach((n, i) => {
      if (i === MAX_NODES) report(['nodes', i], `nodes: more than ${MAX_NODES} nodes (the limit NAT Lens models); the rest are ignored`);
      if (i >= MAX_NODES) return;
      if (!isRecord(n) || typeof n['name'] !== 'string') { report(['nodes', i], 'nodes: each entry needs a name'); return; }
      // a node name reaches rule comments and walk output: the API server's rule for it (ValidateNodeName)
      const invalid = dns1123Subdomain(n['name']);
      if (invalid.length) { report(['nodes', i, 'name'], `nodes[${i}].name: Invalid value: ${JSON.stringify(n['name'])}: ${invalid.map(formatDetailEn).join('; ')}`); return; }
      if (names.has(n['name'])) { report(['nodes', i, 'name'], `nodes[${i}].name: Duplicate value: ${JSON.stringify(n['name'])}; the first node of that name is used`); return; }
      names.add(n['name']);
      given.push(n);
    });
  }
  const self = given.find(n => n['name'] === nodeName);
  const ordered = [self ?? { name: nodeName, ips: nodeIPs }, ...given.filter(n => n !== self)];
  return ordered.map((n, i) => {
    const name = String(n['name']);
    for (const key of Object.keys(n)) if (!NODE_FIELDS.includes(key)) report(['nodes', i, key], `Unknown node field "${key}"; known: ${NODE_FIELDS.join(', ')}`);
    const ipsRaw = n === self || name === nodeName ? (Array.isArray(n['ips']) ? n['ips'] : nodeIPs) : n['ips'];
    const ips = Array.isArray(ipsRaw) ? ipsRaw.filter((x): x is string => typeof x === 'string' && parseIP(x) !== null) : [];
    if (ips.length === 0) report(['nodes', i, 'ips'], `node ${name}: needs at least one IP address`);
    const podCIDR = typeof n['podCIDR'] === 'string' && parseCIDR(n['podCIDR']) ? n['podCIDR'] : defaultPodCIDR(clusterCIDR, i);
    const gw = n['podGateway'];
    const podGateway = gw === 'none' ? 'none' : typeof gw === 'string' && parseIP(gw) ? gw : podCIDR ? firstHost(podCIDR) : null;
    const zone = n['zone'];
    if (zone !== undefined && (typeof zone !== 'string' || !validLabelValue(zone))) report(['nodes', i, 'zone'], `node ${name}: zone: expected a label value such as eu-west-1a, got ${JSON.stringify(zone)}`);
    return { name, ips, podCIDR, podGateway, ...(typeof zone === 'string' && zone !== '' && validLabelValue(zone) ? { zone } : {}) };
  });
}

const NODE_FIELDS = ['name', 'ips', 'podCIDR', 'podGateway', 'zone'];

/** A Kubernetes label value (apimachinery validation IsValidLabelValue): at most 63 characters, alphanumeric at both ends. */
function validLabelValue(v: string): boolean {
  return v.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v);
}

/** Node i gets the i-th /24 (IPv4) or /64 (IPv6) of the cluster CIDR, as the node IPAM controller hands them out. */
export function defaultPodCIDR(clusterCIDR: string | null, index: number): string | null {
  const c = clusterCIDR ? parseCIDR(clusterCIDR) : null;
  if (!c) return null;
  const bytes = c.ip.bytes.slice();
  if (c.ip.family === 'IPv4') {
    if (c.prefix > 24) return clusterCIDR;
    const base = ((bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!) + index;
    return `${(base >> 16) & 255}.${(base >> 8) & 255}.${base & 255}.0/24`;
  }
  if (c.prefix > 64) return clusterCIDR;
  const view = new DataView(bytes.buffer);
  view.setUint16(6, view.getUint16(6) + index);
  const words: string[] = [];
  for (let i = 0; i < 4; i++) words.push(view.getUint16(i * 2).toString(16));
  return `${words.join(':')}::/64`;
}

/** The first host address of a CIDR (the pod gateway a bridge CNI gives a node). */
export function firstHost(cidr: string): string | null {
  const c = parseCIDR(cidr);
  if (!c) return null;
  return formatIP(offsetIP(c.ip, 1));
}
