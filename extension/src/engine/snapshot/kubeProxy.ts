// kube-proxy's settings as a live cluster stores them, read from each place a distribution puts them:
// a KubeProxyConfiguration file in a ConfigMap (kubeadm and kind: kube-system/kube-proxy config.conf;
// EKS: kube-system/kube-proxy-config config), command-line flags on the kube-proxy DaemonSet or on the
// mirror Pod of a static pod (GKE), and the node-args annotation k3s and RKE2 put on every Node.
// Field names and flags are kube-proxy's own (k8s.io/kube-proxy config/v1alpha1 types.go and
// cmd/kube-proxy/app/options.go AddFlags); with --config every other flag is ignored (options.go Complete).
import { isRecord } from '../manifest/manifest';
import { parseYamlDocuments } from '../manifest/yamlAdapter';
import { LineIndex } from '../manifest/source';
import { parseCIDR } from '../util/ip';
import type { IPFamily } from '../util/ip';

/** The profile fields kube-proxy's configuration decides. */
export type KubeProxyField =
  | 'proxyMode' | 'clusterCIDR' | 'detectLocalMode' | 'masqueradeAll' | 'masqueradeBit' | 'localhostNodePorts' | 'nodePortAddresses'
  | 'conntrackTCPLiberal' | 'ipvsScheduler' | 'ipvsStrictARP' | 'ipvsExcludeCIDRs' | 'ipvsTCPTimeout' | 'ipvsTCPFinTimeout' | 'ipvsUDPTimeout';

export interface ReadSetting {
  readonly value: unknown;
  /** Where it was read ("ConfigMap kube-system/kube-proxy config.conf: mode"). */
  readonly source: string;
}

export interface KubeProxySettings {
  /** The place the configuration came from, e.g. "ConfigMap kube-system/kube-proxy (config.conf)". */
  readonly origin: string;
  readonly settings: Partial<Record<KubeProxyField, ReadSetting>>;
  /** Values read that NAT Lens does not model, or that did not parse: said in the profile's sources. */
  readonly problems: readonly string[];
}

type Obj = Record<string, unknown>;

interface Spec {
  readonly field: KubeProxyField;
  readonly flag: string;
  /** Path in a v1alpha1 KubeProxyConfiguration. */
  readonly config: readonly string[];
  readonly parse: (v: unknown, family: IPFamily) => unknown;
}

const bool = (v: unknown) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined);
const int = (v: unknown) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
};
const list = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map(s => s.trim()).filter(Boolean) : undefined;
const cidrs = (v: unknown) => { const l = list(v); return l && l.every(c => parseCIDR(c)) ? l : undefined; };

/** A Go duration ("15m", "1h2m3.5s", "0s") in whole seconds, as the profile's IPVS timeouts count. */
export function goDurationSeconds(v: unknown): number | undefined {
  if (typeof v !== 'string') return typeof v === 'number' && v >= 0 ? Math.round(v / 1e9) : undefined;
  if (v === '0' || v === '') return 0;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  let total = 0, rest = v;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

const SPECS: readonly Spec[] = [
  // '' is the platform default, iptables on Linux (server_linux.go platformApplyDefaults)
  { field: 'proxyMode', flag: 'proxy-mode', config: ['mode'], parse: v => (v === '' ? 'iptables' : ['iptables', 'nftables', 'ipvs'].includes(String(v)) ? v : undefined) },
  // a dual-stack pair "v4,v6": the profile's family takes its own half
  { field: 'clusterCIDR', flag: 'cluster-cidr', config: ['clusterCIDR'], parse: (v, family) => {
    const l = cidrs(v);
    if (!l) return undefined;
    return l.find(c => parseCIDR(c)!.ip.family === family) ?? null;
  } },
  { field: 'detectLocalMode', flag: 'detect-local-mode', config: ['detectLocalMode'], parse: v => (v === '' ? 'ClusterCIDR' : typeof v === 'string' ? v : undefined) },
  { field: 'masqueradeBit', flag: 'iptables-masquerade-bit', config: ['iptables', 'masqueradeBit'], parse: v => { const n = int(v); return n !== undefined && n <= 31 ? n : undefined; } },
  { field: 'localhostNodePorts', flag: 'iptables-localhost-nodeports', config: ['iptables', 'localhostNodePorts'], parse: bool },
  { field: 'nodePortAddresses', flag: 'nodeport-addresses', config: ['nodePortAddresses'], parse: v => { const l = list(v); return l && (l.join() === 'primary' || l.every(c => parseCIDR(c))) ? l : undefined; } },
  { field: 'conntrackTCPLiberal', flag: 'conntrack-tcp-be-liberal', config: ['conntrack', 'tcpBeLiberal'], parse: bool },
  { field: 'ipvsScheduler', flag: 'ipvs-scheduler', config: ['ipvs', 'scheduler'], parse: v => (typeof v === 'string' ? v || 'rr' : undefined) },
  { field: 'ipvsStrictARP', flag: 'ipvs-strict-arp', config: ['ipvs', 'strictARP'], parse: bool },
  { field: 'ipvsExcludeCIDRs', flag: 'ipvs-exclude-cidrs', config: ['ipvs', 'excludeCIDRs'], parse: cidrs },
  { field: 'ipvsTCPTimeout', flag: 'ipvs-tcp-timeout', config: ['ipvs', 'tcpTimeout'], parse: goDurationSeconds },
  { field: 'ipvsTCPFinTimeout', flag: 'ipvs-tcpfin-timeout', config: ['ipvs', 'tcpFinTimeout'], parse: goDurationSeconds },
  { field: 'ipvsUDPTimeout', flag: 'ipvs-udp-timeout', config: ['ipvs', 'udpTimeout'], parse: goDurationSeconds },
  // masqueradeAll sits under the mode's own section (pkg/proxy/apis/config/v1alpha1 conversion.go)
  { field: 'masqueradeAll', flag: 'masquerade-all', config: ['iptables', 'masqueradeAll'], parse: bool },
];

/** detectLocalMode values the profile models; others (NodeCIDR, BridgeInterface, InterfaceNamePrefix) are named, not guessed. */
const MODELLED_DETECT_LOCAL = ['ClusterCIDR', 'None'];

/** The value at `path` inside nested objects, or undefined. */
export function dig(o: unknown, path: readonly string[]): unknown {
  let cur = o;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return cur;
}

function checked(field: KubeProxyField, value: unknown, where: string, problems: string[]): unknown {
  if (field === 'detectLocalMode' && !MODELLED_DETECT_LOCAL.includes(String(value))) {
    problems.push(`detectLocalMode ${String(value)} (${where}) is not modelled; the profile keeps ClusterCIDR`);
    return undefined;
  }
  return value;
}

/** A KubeProxyConfiguration document (YAML or JSON), as kube-proxy --config reads it. */
export function fromConfigFile(text: string, origin: string, family: IPFamily): KubeProxySettings {
  const problems: string[] = [];
  const docs = parseYamlDocuments(text, new LineIndex(text));
  const doc = docs.find(d => isRecord(d.value));
  const errors = docs.flatMap(d => d.problems).filter(p => p.severity === 'error');
  if (!doc || errors.length > 0) return { origin, settings: {}, problems: [`${origin} does not parse as a KubeProxyConfiguration${errors[0] ? `: ${errors[0].message}` : ''}`] };
  const config = doc.value as Obj;
  if (config['kind'] !== undefined && config['kind'] !== 'KubeProxyConfiguration') problems.push(`${origin} is a ${String(config['kind'])}, not a KubeProxyConfiguration`);
  const settings: Partial<Record<KubeProxyField, ReadSetting>> = {};
  const mode = config['mode'];
  for (const spec of SPECS) {
    const path = spec.field === 'masqueradeAll' && mode === 'nftables' ? ['nftables', 'masqueradeAll'] : spec.config;
    const raw = dig(config, path);
    // kubeadm writes every field, unset ones as null or "": kube-proxy's defaults apply to those
    if (raw === undefined || raw === null || (raw === '' && spec.field !== 'proxyMode' && spec.field !== 'detectLocalMode')) continue;
    const where = `${origin}: ${path.join('.')}`;
    const value = spec.parse(raw, family);
    if (value === undefined) { problems.push(`${path.join('.')}: ${JSON.stringify(raw)} is not a value kube-proxy accepts (${origin})`); continue; }
    const kept = checked(spec.field, value, where, problems);
    if (kept !== undefined) settings[spec.field] = { value: kept, source: where };
  }
  return { origin, settings, problems };
}

/** `--name=value`, `--name value` and bare boolean flags, as pflag reads kube-proxy's command line. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  const booleans = new Set(SPECS.filter(s => s.parse === bool).map(s => s.flag));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) continue;
    const name = m[1]!;
    if (m[2] !== undefined) flags.set(name, m[2]);
    else if (booleans.has(name)) flags.set(name, 'true');
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) flags.set(name, argv[++i]!);
    else flags.set(name, '');
  }
  return flags;
}

/** kube-proxy's command line (a DaemonSet's or mirror Pod's container, or k3s's --kube-proxy-arg values). */
export function fromFlags(argv: readonly string[], origin: string, family: IPFamily): KubeProxySettings & { readonly configFile: string | null } {
  const flags = parseFlags(argv);
  const configFile = flags.get('config') ?? null;
  const problems: string[] = [];
  const settings: Partial<Record<KubeProxyField, ReadSetting>> = {};
  if (configFile === null) {
    for (const spec of SPECS) {
      const raw = flags.get(spec.flag);
      if (raw === undefined) continue;
      const where = `${origin}: --${spec.flag}`;
      const value = spec.parse(raw, family);
      if (value === undefined) { problems.push(`--${spec.flag}=${raw} is not a value kube-proxy accepts (${origin})`); continue; }
      const kept = checked(spec.field, value, where, problems);
      if (kept !== undefined) settings[spec.field] = { value: kept, source: where };
    }
  }
  return { origin, settings, problems, configFile };
}

/** The kube-proxy container's command and args of a Pod template or Pod spec; null when it has none. */
export function kubeProxyCommand(podSpec: unknown): string[] | null {
  const containers = isRecord(podSpec) && Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
  const c = containers.find(c => isRecord(c) && (c['name'] === 'kube-proxy' || (Array.isArray(c['command']) && c['command'].some(x => /(^|\/)kube-proxy$/.test(String(x))))));
  if (!isRecord(c)) return null;
  const words = [...(Array.isArray(c['command']) ? c['command'] : []), ...(Array.isArray(c['args']) ? c['args'] : [])].map(String);
  // GKE's manifest runs "/bin/sh -c 'exec kube-proxy --flag=... 1>>/var/log/kube-proxy.log 2>&1'"
  return words.flatMap(w => (/\s/.test(w) && /kube-proxy/.test(w) ? w.split(/\s+/).filter(Boolean) : [w]));
}

/** k3s's and RKE2's defaults for what their node-args leave out (k3s: --cluster-cidr, docs.k3s.io cli/server). */
const DISTRIBUTION_CLUSTER_CIDR: Readonly<Record<string, string>> = { 'k3s.io/node-args': '10.42.0.0/16', 'rke2.io/node-args': '10.42.0.0/16' };
export const NODE_ARGS_ANNOTATIONS = Object.keys(DISTRIBUTION_CLUSTER_CIDR);

/**
 * The node-args annotation (a JSON array of the server's or agent's argv): each --kube-proxy-arg is
 * one of kube-proxy's flags without its dashes, and the distribution hands its own --cluster-cidr
 * to kube-proxy as --cluster-cidr, proxy-mode iptables unless overridden (k3s pkg/daemons/agent startKubeProxy).
 */
export function fromNodeArgs(annotation: string, value: string, node: string, family: IPFamily): KubeProxySettings | null {
  let argv: unknown;
  try { argv = JSON.parse(value); } catch { return { origin: `Node ${node} annotation ${annotation}`, settings: {}, problems: [`Node ${node} annotation ${annotation} is not a JSON list`] }; }
  if (!Array.isArray(argv)) return null;
  const words = argv.map(String);
  const proxyArgs: string[] = [];
  let clusterCIDR: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const [name, inline] = words[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = inline ?? words[i + 1];
    if (name === '--kube-proxy-arg' && value !== undefined) { proxyArgs.push(`--${value.replace(/^--?/, '')}`); if (inline === undefined) i++; }
    else if (name === '--cluster-cidr' && value !== undefined) { clusterCIDR = value; if (inline === undefined) i++; }
  }
  const origin = `Node ${node} annotation ${annotation}`;
  const parsed = fromFlags(proxyArgs, `${origin} --kube-proxy-arg`, family);
  const settings = { ...parsed.settings };
  if (!settings.clusterCIDR) {
    const given = clusterCIDR !== undefined;
    const cidr = SPECS.find(s => s.field === 'clusterCIDR')!.parse(clusterCIDR ?? DISTRIBUTION_CLUSTER_CIDR[annotation], family);
    if (cidr !== undefined) settings.clusterCIDR = { value: cidr, source: given ? `${origin}: --cluster-cidr` : `${origin}: no --cluster-cidr, the distribution's default ${DISTRIBUTION_CLUSTER_CIDR[annotation]}` };
  }
  if (!settings.proxyMode) settings.proxyMode = { value: 'iptables', source: `${origin}: no proxy-mode in --kube-proxy-arg, kube-proxy's default` };
  return { origin, settings, problems: parsed.problems };
}
