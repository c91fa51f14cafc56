// Hovers on the CNI objects' egress NAT settings: which destinations a pod reaches with its own
// address and which with its node's, computed by egressDecision for sample destinations, and why the
// replies must come back through that node.
import type { HoverContent } from '../findings/hover';
import { isRecord, type ManifestFile } from '../manifest/manifest';
import type { FieldPath, SourceRange } from '../manifest/source';
import type { ClusterProfile } from '../model/profile';
import { cidrContains, formatIP, offsetIP, parseCIDR } from '../util/ip';
import { egressDecision, nodeAddress, type EgressPod } from './decide';
import { DEFAULT_CNI_PROFILE, LINK_LOCAL_V4, resolveCni, type CniProfile } from './profile';
import type { CniConfig, CniType, EgressDecision, Setting } from './types';
import { AWS_ENV, CALICO_API_VERSIONS, CILIUM_KEYS, embeddedConfig, rawObjects, readCniConfig, type RawObject } from './workspace';

export interface EgressHoverContext {
  readonly profile: ClusterProfile;
  /** The profile's `cni` field (resolveCniProfile); auto when absent. */
  readonly cni?: CniProfile | undefined;
  /** Every manifest of the workspace: CNI objects in other files count too. Defaults to [file]. */
  readonly files?: readonly ManifestFile[] | undefined;
}

interface Target {
  readonly type: CniType;
  readonly field: string;
  readonly range: SourceRange;
  readonly obj: RawObject;
}

const AGENT_FIELDS = ['nonMasqueradeCIDRs', 'masqLinkLocal', 'masqLinkLocalIPv6', 'resyncInterval'];

/** The field under `offset` if it is an egress NAT setting of a CNI object. */
function targetAt(file: ManifestFile, offset: number): Target | null {
  for (const obj of rawObjects(file)) {
    const path = obj.pathAt(offset);
    if (!path) continue;
    const key = (p: FieldPath) => obj.rangeOf(p, 'key') ?? obj.range;
    if (obj.kind === 'IPPool' && (CALICO_API_VERSIONS as readonly string[]).includes(obj.apiVersion) && path[0] === 'spec' && ['natOutgoing', 'disabled', 'cidr'].includes(String(path[1]))) {
      return { type: 'calico', field: String(path[1]), range: key(path.slice(0, 2)), obj };
    }
    if (obj.kind === 'FelixConfiguration' && path[0] === 'spec' && ['natOutgoingAddress', 'natOutgoingExclusions'].includes(String(path[1]))) {
      return { type: 'calico', field: String(path[1]), range: key(path.slice(0, 2)), obj };
    }
    if (obj.kind === 'ConfigMap' && path[0] === 'data') {
      if (obj.name === 'cilium-config' && (Object.values(CILIUM_KEYS) as string[]).includes(String(path[1]))) {
        return { type: 'cilium', field: String(path[1]), range: key(path.slice(0, 2)), obj };
      }
      if (obj.name === 'ip-masq-agent' && path[1] === 'config') {
        const cfg = embeddedConfig(file, obj, ['data', 'config']);
        const inner = cfg?.toInner(offset) ?? null;
        const innerPath = inner !== null ? cfg?.doc?.pathAt(inner) : undefined;
        const name = innerPath && typeof innerPath[0] === 'string' ? AGENT_FIELDS.find(f => f.toLowerCase() === String(innerPath[0]).toLowerCase()) : undefined;
        if (name && cfg) return { type: 'ip-masq-agent', field: name, range: cfg.rangeOf([innerPath![0]!], 'key'), obj };
        return { type: 'ip-masq-agent', field: 'config', range: key(['data', 'config']), obj };
      }
      if (obj.name === 'kube-flannel-cfg' && path[1] === 'net-conf.json') {
        const cfg = embeddedConfig(file, obj, ['data', 'net-conf.json']);
        return { type: 'flannel', field: 'Network', range: cfg ? cfg.rangeOf(['Network'], 'key') : key(path.slice(0, 2)), obj };
      }
    }
    if (obj.kind === 'DaemonSet') {
      const ci = path.indexOf('containers');
      if (ci < 0 || typeof path[ci + 1] !== 'number') continue;
      const cpath = path.slice(0, ci + 2);
      const rest = path.slice(ci + 2);
      const container = valueAt(obj.value, cpath);
      if (!isRecord(container)) continue;
      if (rest[0] === 'env' && typeof rest[1] === 'number') {
        const env = valueAt(container, ['env', rest[1]]);
        const name = isRecord(env) ? env['name'] : undefined;
        if (typeof name === 'string' && (Object.values(AWS_ENV) as string[]).includes(name)) {
          return { type: 'aws-vpc-cni', field: name, range: obj.rangeOf([...cpath, 'env', rest[1], 'name']) ?? obj.range, obj };
        }
      }
      if (rest[0] === 'args' && typeof rest[1] === 'number') {
        const arg = valueAt(container, ['args', rest[1]]);
        if (typeof arg === 'string' && arg.startsWith('--ip-masq')) return { type: 'flannel', field: '--ip-masq', range: obj.rangeOf(path.slice(0, ci + 4)) ?? obj.range, obj };
        if (typeof arg === 'string' && arg.startsWith('--nomasq-all-reserved-ranges')) return { type: 'ip-masq-agent', field: 'nomasqAllReservedRanges', range: obj.rangeOf(path.slice(0, ci + 4)) ?? obj.range, obj };
      }
    }
  }
  return null;
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let cur = root;
  for (const p of path) cur = Array.isArray(cur) && typeof p === 'number' ? cur[p] : isRecord(cur) && typeof p === 'string' ? cur[p] : undefined;
  return cur;
}

/** The n-th address of a CIDR (network address + n). */
export function hostIn(cidr: string | null | undefined, n: number): string | null {
  const c = cidr ? parseCIDR(cidr) : null;
  return c ? formatIP(offsetIP(c.ip, n)) : null;
}

function cidrsOf(cfg: CniConfig): string[] {
  switch (cfg.type) {
    case 'calico': return cfg.pools.map(p => p.cidr.value);
    case 'cilium': return [...(cfg.nativeRoutingCIDR.value ? [cfg.nativeRoutingCIDR.value] : []), ...(cfg.ipMasqAgent.value ? cfg.nonMasqueradeCIDRs.value ?? [] : [])];
    case 'flannel': return [];
    case 'aws-vpc-cni': return [...cfg.vpcCIDRs.value, ...cfg.excludeSNATCIDRs.value];
    case 'ip-masq-agent': return [...cfg.nonMasqueradeCIDRs.value];
    case 'none': return [];
  }
}

function fmtDecision(label: string, dst: string, d: EgressDecision): string {
  if (d.verdict === 'not-egress') return `- ${label} \`${dst}\`: ${d.reason}`;
  if (d.verdict === 'own-ip') return `- ${label} \`${dst}\`: **own IP** \`${d.sourceSeen}\` — ${d.reason}`;
  return `- ${label} \`${dst}\`: **SNAT to \`${d.sourceSeen}\`** — ${d.reason}`;
}

function fromText(s: Setting<unknown>): string {
  if (s.origin === 'workspace' && s.source) return `read from ${s.source.object} in ${s.source.fileName} (line ${s.source.range.start.line + 1})`;
  return s.origin === 'profile' ? 'from the cluster profile (cni)' : 'the documented default';
}

/** Hover for a CNI egress setting under `offset`; null when the offset is on none. */
export function egressHoverAt(file: ManifestFile, offset: number, ctx: EgressHoverContext): HoverContent | null {
  const target = targetAt(file, offset);
  if (!target) return null;
  const files = ctx.files?.some(f => f.fileName === file.fileName) ? ctx.files.map(f => (f.fileName === file.fileName ? file : f)) : [file, ...(ctx.files ?? [])];
  const workspace = readCniConfig(files);
  const resolved = resolveCni(ctx.cni ?? DEFAULT_CNI_PROFILE, workspace, ctx.profile, target.type);
  const profile = ctx.profile;
  const node = profile.nodes[0];
  const other = profile.nodes[1];
  const cfg = resolved.config;

  const pool = cfg.type === 'calico' && target.obj.kind === 'IPPool' ? cfg.pools.find(p => p.cidr.source?.object === target.obj.label) : undefined;
  // the sample pod: an address of the CNI's pod range (for a Calico pool, that pool unless it is
  // disabled: then a natOutgoing pool, to show the exemption), in the first node's pod CIDR if it fits
  const podRange = cfg.type === 'calico'
    ? (pool && !pool.disabled.value ? pool : cfg.pools.find(p => !p.disabled.value && p.natOutgoing.value) ?? cfg.pools.find(p => !p.disabled.value) ?? cfg.pools[0])?.cidr.value ?? null
    : cfg.type === 'flannel' ? cfg.network.value : profile.clusterCIDR;
  const within = (cidr: string | null | undefined) => {
    const c = cidr ? parseCIDR(cidr) : null, r = podRange ? parseCIDR(podRange) : null;
    return c !== null && (r === null || (r.ip.family === c.ip.family && r.prefix <= c.prefix && cidrContains(r, c.ip)));
  };
  const podIP = hostIn(within(node?.podCIDR) ? node!.podCIDR : podRange ?? node?.podCIDR, 10);
  const summary = summarize(target, cfg, pool?.name);
  const details: string[] = [];
  if (node && podIP) {
    const pod: EgressPod = { ip: podIP, node: node.name };
    const v6 = profile.ipFamily === 'IPv6';
    const samples: [string, string][] = [['An internet address', v6 ? '2001:4860:4860::8888' : '8.8.8.8']];
    const remotePod = other && within(other.podCIDR) ? hostIn(other.podCIDR, 10) : null;
    if (remotePod && remotePod !== podIP) samples.push([`A pod on ${other!.name}`, remotePod]);
    const otherIP = nodeAddress(profile, other);
    if (otherIP) samples.push([`Node ${other!.name}`, otherIP]);
    for (const c of cidrsOf(cfg).slice(0, 4)) {
      const ip = hostIn(c, 10);
      if (ip && ip !== podIP && !samples.some(s => s[1] === ip)) samples.push([`An address in ${c}`, ip]);
    }
    if (!v6 && (cfg.type === 'ip-masq-agent' || (cfg.type === 'cilium' && cfg.ipMasqAgent.value))) samples.push([`Link-local (${LINK_LOCAL_V4}, e.g. a cloud metadata server)`, '169.254.169.254']);
    // Service addresses are kube-proxy's, not egress: leave them out of the examples
    const decisions = samples.map(([label, ip]) => ({ label, ip, d: egressDecision(cfg, profile, pod, ip) })).filter(x => x.d.verdict !== 'not-egress');
    details.push(`From a pod at \`${podIP}\` on ${node.name} (node address \`${nodeAddress(profile, node) ?? '?'}\`), new connections to:`);
    details.push(decisions.map(x => fmtDecision(x.label, x.ip, x.d)).join('\n'));
    const snat = decisions.find(x => x.d.verdict === 'snat');
    if (snat) {
      details.push(`Replies come back to \`${snat.d.sourceSeen}\`; conntrack on ${node.name} holds the translation and rewrites them back to \`${podIP}\`. ` +
        `So they must return through ${node.name}: the entry exists on that node only, and an asymmetric return route, a second egress path or a failover to another node breaks the connection.`);
    }
    if (decisions.some(x => x.d.verdict === 'own-ip' && x.label === 'An internet address')) {
      details.push(`Destinations reached with the pod's own address must route \`${podRange ?? podIP}\` back to the cluster; otherwise the replies never arrive.`);
    }
    const notes = [...new Set(decisions.flatMap(x => x.d.notes))];
    if (notes.length) details.push(notes.join(' '));
  }
  if (resolved.assumptions.length) details.push(`Assumed: ${resolved.assumptions.join('; ')}.`);
  return { range: target.range, summary, details, links: [] };
}

function list(xs: readonly string[]): string {
  return xs.length ? xs.join(', ') : 'none';
}

function summarize(t: Target, cfg: CniConfig, poolName: string | undefined): string {
  switch (cfg.type) {
    case 'calico': {
      const pool = cfg.pools.find(p => p.name === poolName);
      const all = list(cfg.pools.map(p => p.cidr.value));
      const via = cfg.natOutgoingAddress.value ? `SNAT to ${cfg.natOutgoingAddress.value}` : 'their node\'s address (MASQUERADE)';
      if (t.field === 'natOutgoingAddress') {
        return cfg.natOutgoingAddress.value
          ? `natOutgoingAddress: ${cfg.natOutgoingAddress.value} — traffic from natOutgoing pools to addresses outside every pool leaves as ${cfg.natOutgoingAddress.value} (SNAT --to-source) instead of the node's address.`
          : 'natOutgoingAddress unset — natOutgoing pools are MASQUERADEd to an address of the interface the packet leaves by.';
      }
      if (t.field === 'natOutgoingExclusions') {
        return cfg.natOutgoingExclusions.value === 'IPPoolsAndHostIPs'
          ? `natOutgoingExclusions: IPPoolsAndHostIPs — no outgoing NAT towards any Calico pool (${all}) nor towards the nodes' own addresses.`
          : `natOutgoingExclusions: IPPoolsOnly — no outgoing NAT towards any Calico pool (${all}); traffic to node addresses is NATed.`;
      }
      if (!pool) return `Calico IP pools: ${all}.`;
      if (t.field === 'disabled') {
        return pool.disabled.value
          ? `disabled: true — Calico assigns no new addresses from ${pool.cidr.value}, but it is still a pool: natOutgoing pools reach ${pool.cidr.value} without NAT.`
          : `disabled: false — Calico assigns pod addresses from ${pool.cidr.value}; ${pool.natOutgoing.value ? `they leave as ${via} outside the pools` : 'they keep their own address everywhere (natOutgoing: false)'}.`;
      }
      return pool.natOutgoing.value
        ? `natOutgoing: true — pods in ${pool.cidr.value} reach addresses outside every Calico pool as ${via}, and every pool (${all}) with their own IP.`
        : `natOutgoing: false — pods in ${pool.cidr.value} keep their own IP for every destination: the network must route ${pool.cidr.value} back to the nodes.`;
    }
    case 'cilium': {
      const v = (s: Setting<unknown>) => (s.value === null ? 'unset' : String(s.value));
      switch (t.field) {
        case CILIUM_KEYS.masquerade:
          return cfg.masquerade.value ? 'enable-ipv4-masquerade: true — pods leave the cluster as the node\'s address, except towards the native-routing CIDR and the cluster\'s nodes.' : 'enable-ipv4-masquerade: false — pods keep their own IP for every destination.';
        case CILIUM_KEYS.bpfMasquerade:
          return cfg.bpfMasquerade.value ? 'enable-bpf-masquerade: true — masquerading is done in eBPF on the native devices (needed for the ip-masq-agent).' : 'enable-bpf-masquerade: false — masquerading is done by iptables rules (CILIUM_POST_nat); the eBPF ip-masq-agent is unavailable.';
        case CILIUM_KEYS.nativeRoutingCIDR:
          return `ipv4-native-routing-cidr: ${v(cfg.nativeRoutingCIDR)} — destinations inside it are reached with the pod's own IP; everything else outside the cluster's nodes is masqueraded.`;
        case CILIUM_KEYS.ipMasqAgent:
          return cfg.ipMasqAgent.value ? `enable-ip-masq-agent: true — nonMasqueradeCIDRs (${cfg.nonMasqueradeCIDRs.value?.length ? list(cfg.nonMasqueradeCIDRs.value) : 'the default reserved ranges'}) decide${cfg.bpfMasquerade.value ? '' : '; without eBPF masquerading it has no effect'}.` : 'enable-ip-masq-agent: false — the native-routing CIDR alone decides what is masqueraded.';
        default:
          return `routing-mode: ${cfg.routingMode.value} — ${cfg.routingMode.value === 'tunnel' ? 'pod-to-pod traffic crosses nodes in the tunnel and is never masqueraded' : 'pod traffic is routed natively; set ipv4-native-routing-cidr to the range the network routes'}.`;
      }
    }
    case 'flannel':
      if (t.field === '--ip-masq') return cfg.ipMasq.value ? `--ip-masq — flannel masquerades pod traffic leaving the flannel network ${cfg.network.value ?? ''} to the node's address; pod-to-pod traffic keeps its IP.` : '--ip-masq=false — flannel installs no masquerade rules; pods keep their own IP everywhere.';
      return `Network: ${cfg.network.value ?? 'unset'} — flannel's pod network: traffic inside it is never masqueraded${cfg.ipMasq.value ? ', traffic leaving it is (--ip-masq)' : ''}.`;
    case 'aws-vpc-cni':
      if (t.field === AWS_ENV.externalSNAT) {
        return cfg.externalSNAT.value
          ? 'AWS_VPC_K8S_CNI_EXTERNALSNAT=true — no SNAT on the node: pods keep their VPC address everywhere; a NAT gateway must translate internet traffic.'
          : `AWS_VPC_K8S_CNI_EXTERNALSNAT=false — outside the VPC (${list(cfg.vpcCIDRs.value)}) pods leave as the node's primary ENI address; inside it with their own IP.`;
      }
      if (t.field === AWS_ENV.excludeSNATCIDRs) return `AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS — besides the VPC, pods reach ${list(cfg.excludeSNATCIDRs.value)} with their own IP.`;
      return `AWS_VPC_K8S_CNI_RANDOMIZESNAT=${cfg.randomizeSNAT.value} — the SNAT rule uses ${cfg.randomizeSNAT.value === 'prng' ? '--random-fully' : cfg.randomizeSNAT.value === 'hashrandom' ? '--random' : 'no port randomisation'}.`;
    case 'ip-masq-agent':
      switch (t.field) {
        case 'masqLinkLocal':
          return cfg.masqLinkLocal.value ? 'masqLinkLocal: true — link-local destinations (169.254.0.0/16) are masqueraded like the rest.' : 'masqLinkLocal: false — link-local destinations (169.254.0.0/16) are reached with the pod\'s own IP.';
        case 'masqLinkLocalIPv6':
          return `masqLinkLocalIPv6: ${cfg.masqLinkLocalIPv6.value} — fe80::/10 ${cfg.masqLinkLocalIPv6.value ? 'is' : 'is not'} masqueraded (IPv6 rules need --enable-ipv6).`;
        case 'resyncInterval':
          return `resyncInterval: ${cfg.resyncInterval.value} — how often the agent re-reads this file and rewrites its IP-MASQ-AGENT chain (${fromText(cfg.resyncInterval)}).`;
        case 'nomasqAllReservedRanges':
          return '--nomasq-all-reserved-ranges — the default list also covers the reserved ranges (100.64.0.0/10, 192.0.2.0/24, …, 240.0.0.0/4).';
        default:
          return `nonMasqueradeCIDRs: ${list(cfg.nonMasqueradeCIDRs.value)} — pods reach these${cfg.masqLinkLocal.value ? '' : ' and link-local'} with their own IP; every other off-node destination as the node's address.`;
      }
    case 'none':
      return 'No egress NAT is modelled.';
  }
}
