// The proposed `cni` field of the cluster profile, its resolver, and the effective CNI settings:
// a CNI object in the workspace wins over the profile, the profile over the CNI's documented default.
//
//   cni:
//     type: calico            # auto (default) | calico | cilium | flannel | aws-vpc-cni | ip-masq-agent | none
//     ipPools: [{ cidr: 10.244.0.0/16, natOutgoing: true }]
//
// `cni: cilium` is short for `cni: { type: cilium }`. Source keys in the comments of egress/:
//   CAL     tigera/docs calico/networking/configuring/workloads-outside-cluster.mdx; the IPPool
//           reference docs.tigera.io/calico/latest/reference/resources/ippool
//   C-masq  cilium/cilium Documentation/network/concepts/masquerading.rst
//   FL      flannel-io/flannel Documentation/configuration.md, Documentation/kube-flannel.yml
//   AWS     aws/amazon-vpc-cni-k8s README.md, pkg/networkutils/network.go
//   IMA     kubernetes-sigs/ip-masq-agent README.md; kubernetes.io/docs/tasks/administer-cluster/ip-masq-agent
import { isRecord } from '../manifest/manifest';
import { parseCIDR, parseIP, type IPFamily } from '../util/ip';
import type { CniWorkspace } from './workspace';
import {
  CALICO_ENCAPSULATION_MODES, CNI_TYPES, type AwsRandomizeSNAT, type CalicoNatExclusions, type CalicoEncapsulationMode, type CalicoPool, type CiliumRoutingMode, type CniConfig, type CniType, type Setting,
} from './types';

export interface CniProfilePool {
  readonly name?: string | undefined;
  readonly cidr: string;
  readonly natOutgoing?: boolean | undefined;
  readonly disabled?: boolean | undefined;
  readonly ipipMode?: CalicoEncapsulationMode | undefined;
  readonly vxlanMode?: CalicoEncapsulationMode | undefined;
}

/** The profile's `cni` field after validation; absent keys fall back to the workspace or the defaults. */
export interface CniProfile {
  /** 'auto': the CNI whose objects the workspace holds, else flannel (what the profile's other defaults assume). */
  readonly type: CniType | 'auto';
  // calico
  readonly ipPools?: readonly CniProfilePool[] | undefined;
  readonly natOutgoingAddress?: string | undefined;
  readonly natOutgoingExclusions?: CalicoNatExclusions | undefined;
  // cilium
  readonly masquerade?: boolean | undefined;
  readonly bpfMasquerade?: boolean | undefined;
  /** ipv4-native-routing-cidr (ipv6-native-routing-cidr for an IPv6 profile). */
  readonly nativeRoutingCIDR?: string | undefined;
  readonly routingMode?: CiliumRoutingMode | undefined;
  readonly ipMasqAgent?: boolean | undefined;
  // cilium (with ipMasqAgent) and ip-masq-agent
  readonly nonMasqueradeCIDRs?: readonly string[] | undefined;
  readonly masqLinkLocal?: boolean | undefined;
  // ip-masq-agent
  readonly masqLinkLocalIPv6?: boolean | undefined;
  readonly resyncInterval?: string | undefined;
  readonly nomasqAllReservedRanges?: boolean | undefined;
  // flannel
  readonly ipMasq?: boolean | undefined;
  readonly network?: string | undefined;
  /** net-conf.json Backend.Type: vxlan (kube-flannel.yml's), host-gw, wireguard, ... */
  readonly backend?: string | undefined;
  // aws-vpc-cni
  readonly externalSNAT?: boolean | undefined;
  readonly excludeSNATCIDRs?: readonly string[] | undefined;
  readonly vpcCIDRs?: readonly string[] | undefined;
  readonly randomizeSNAT?: AwsRandomizeSNAT | undefined;
}

export const DEFAULT_CNI_PROFILE: CniProfile = { type: 'auto' };

/** Which keys each type reads (`type` is always allowed). */
export const CNI_PROFILE_KEYS: Readonly<Record<CniType, readonly string[]>> = {
  calico: ['ipPools', 'natOutgoingAddress', 'natOutgoingExclusions'],
  cilium: ['masquerade', 'bpfMasquerade', 'nativeRoutingCIDR', 'routingMode', 'ipMasqAgent', 'nonMasqueradeCIDRs', 'masqLinkLocal'],
  flannel: ['ipMasq', 'network', 'backend'],
  'aws-vpc-cni': ['externalSNAT', 'excludeSNATCIDRs', 'vpcCIDRs', 'randomizeSNAT'],
  'ip-masq-agent': ['nonMasqueradeCIDRs', 'masqLinkLocal', 'masqLinkLocalIPv6', 'resyncInterval', 'nomasqAllReservedRanges'],
  none: [],
};

const POOL_KEYS = ['name', 'cidr', 'natOutgoing', 'disabled', 'ipipMode', 'vxlanMode'];

const ALL_KEYS = [...new Set(Object.values(CNI_PROFILE_KEYS).flat())];

/** Same shape as profile.ts's reporter: a path from the profile's root and a message. */
export type CniReport = (path: (string | number)[], message: string) => void;

/** Validates the raw `cni` value of a profile (undefined when the profile has none). */
export function resolveCniProfile(raw: unknown, report: CniReport): CniProfile {
  if (raw === undefined || raw === null) return DEFAULT_CNI_PROFILE;
  if (typeof raw === 'string') raw = { type: raw };
  if (!isRecord(raw)) {
    report(['cni'], `cni: expected a CNI name (${CNI_TYPES.join(', ')}) or a mapping with a type`);
    return DEFAULT_CNI_PROFILE;
  }
  const r = raw;
  const typeRaw = r['type'] ?? 'auto';
  const type = typeRaw === 'auto' || (CNI_TYPES as readonly unknown[]).includes(typeRaw) ? (typeRaw as CniType | 'auto') : null;
  if (type === null) report(['cni', 'type'], `cni.type: expected auto, ${CNI_TYPES.join(', ')}; got ${JSON.stringify(typeRaw)}`);
  const allowed = type === null || type === 'auto' ? ALL_KEYS : CNI_PROFILE_KEYS[type];
  for (const key of Object.keys(r)) {
    if (key === 'type') continue;
    if (!ALL_KEYS.includes(key)) report(['cni', key], `Unknown cni field "${key}"; known fields: type, ${ALL_KEYS.join(', ')}`);
    else if (!allowed.includes(key)) {
      const owners = CNI_TYPES.filter(t => CNI_PROFILE_KEYS[t].includes(key));
      report(['cni', key], `cni.${key} applies to type ${owners.join(' or ')}, not ${type}`);
    }
  }
  const pick = <T>(key: string, check: (v: unknown) => T | undefined, expected: string): T | undefined => {
    if (!(key in r) || r[key] === undefined || !allowed.includes(key)) return undefined;
    const v = check(r[key]);
    if (v === undefined) report(['cni', key], `cni.${key}: expected ${expected}, got ${JSON.stringify(r[key])}`);
    return v;
  };
  const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  const cidr = (v: unknown) => (typeof v === 'string' && parseCIDR(v) ? v : undefined);
  const cidrs = (v: unknown) => (Array.isArray(v) && v.every(x => cidr(x) !== undefined) ? (v as string[]) : undefined);
  const oneOf = <T extends string>(values: readonly T[]) => (v: unknown) => ((values as readonly unknown[]).includes(v) ? (v as T) : undefined);
  const pools = (v: unknown): CniProfilePool[] | undefined => {
    if (!Array.isArray(v)) return undefined;
    const out: CniProfilePool[] = [];
    for (const [i, p] of v.entries()) {
      if (!isRecord(p) || cidr(p['cidr']) === undefined) { report(['cni', 'ipPools', i], 'cni.ipPools: each pool needs a cidr'); continue; }
      for (const k of Object.keys(p)) if (!POOL_KEYS.includes(k)) report(['cni', 'ipPools', i, k], `Unknown pool field "${k}"; known: ${POOL_KEYS.join(', ')}`);
      const flag = (k: string) => { const x = p[k]; if (x !== undefined && typeof x !== 'boolean') report(['cni', 'ipPools', i, k], `cni.ipPools[${i}].${k}: expected true or false`); return typeof x === 'boolean' ? x : undefined; };
      const mode = (k: string) => {
        const x = p[k];
        if (x !== undefined && !(CALICO_ENCAPSULATION_MODES as readonly unknown[]).includes(x)) report(['cni', 'ipPools', i, k], `cni.ipPools[${i}].${k}: expected ${CALICO_ENCAPSULATION_MODES.join(', ')}`);
        return (CALICO_ENCAPSULATION_MODES as readonly unknown[]).includes(x) ? (x as CalicoEncapsulationMode) : undefined;
      };
      const ipipMode = mode('ipipMode'), vxlanMode = mode('vxlanMode');
      out.push({
        name: typeof p['name'] === 'string' ? p['name'] : undefined, cidr: p['cidr'] as string, natOutgoing: flag('natOutgoing'), disabled: flag('disabled'),
        ...(ipipMode ? { ipipMode } : {}), ...(vxlanMode ? { vxlanMode } : {}),
      });
    }
    return out;
  };
  return {
    type: type ?? 'auto',
    ipPools: pick('ipPools', pools, 'a list of { cidr, natOutgoing, disabled }'),
    natOutgoingAddress: pick('natOutgoingAddress', v => (typeof v === 'string' && parseIP(v) ? v : undefined), 'an IP address'),
    natOutgoingExclusions: pick('natOutgoingExclusions', oneOf(['IPPoolsOnly', 'IPPoolsAndHostIPs'] as const), 'IPPoolsOnly or IPPoolsAndHostIPs'),
    masquerade: pick('masquerade', bool, 'true or false'),
    bpfMasquerade: pick('bpfMasquerade', bool, 'true or false'),
    nativeRoutingCIDR: pick('nativeRoutingCIDR', cidr, 'a CIDR'),
    routingMode: pick('routingMode', oneOf(['tunnel', 'native'] as const), 'tunnel or native'),
    ipMasqAgent: pick('ipMasqAgent', bool, 'true or false'),
    nonMasqueradeCIDRs: pick('nonMasqueradeCIDRs', cidrs, 'a list of CIDRs'),
    masqLinkLocal: pick('masqLinkLocal', bool, 'true or false'),
    masqLinkLocalIPv6: pick('masqLinkLocalIPv6', bool, 'true or false'),
    resyncInterval: pick('resyncInterval', v => (typeof v === 'string' && /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v) ? v : undefined), 'a Go duration such as 60s'),
    nomasqAllReservedRanges: pick('nomasqAllReservedRanges', bool, 'true or false'),
    ipMasq: pick('ipMasq', bool, 'true or false'),
    network: pick('network', cidr, 'a CIDR'),
    backend: pick('backend', v => (typeof v === 'string' && v !== '' ? v : undefined), 'a flannel backend type such as vxlan or host-gw'),
    externalSNAT: pick('externalSNAT', bool, 'true or false'),
    excludeSNATCIDRs: pick('excludeSNATCIDRs', cidrs, 'a list of CIDRs'),
    vpcCIDRs: pick('vpcCIDRs', cidrs, 'a list of CIDRs'),
    randomizeSNAT: pick('randomizeSNAT', oneOf(['prng', 'hashrandom', 'none'] as const), 'prng, hashrandom or none'),
  };
}

// ---------------------------------------------------------------------------------------------
// Documented defaults

/** RFC 1918: upstream ip-masq-agent's default nonMasqueradeCIDRs (IMA: cmd/ip-masq-agent NewMasqConfig). */
export const IP_MASQ_AGENT_DEFAULT_CIDRS: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** Added by upstream's --nomasq-all-reserved-ranges (IMA: NewMasqConfig). */
export const RESERVED_RANGES: readonly string[] = ['100.64.0.0/10', '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4'];
/** Cilium's eBPF ip-masq-agent with an empty configuration (C-masq). */
export const CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS: readonly string[] = [...IP_MASQ_AGENT_DEFAULT_CIDRS, ...RESERVED_RANGES];
export const LINK_LOCAL_V4 = '169.254.0.0/16';
export const LINK_LOCAL_V6 = 'fe80::/10';

export interface ResolvedCni {
  readonly config: CniConfig;
  /** Values NAT Lens had to assume (no workspace object, no profile value, no documented default). */
  readonly assumptions: readonly string[];
}

/** What resolveCni reads of the cluster profile (a ClusterProfile is one; model/profile imports this module). */
export interface CniClusterContext {
  readonly clusterCIDR: string | null;
  readonly ipFamily: IPFamily;
}

/** The effective settings for one CNI type (`as` overrides the profile's type, e.g. for a hover on an IPPool). */
export function resolveCni(cni: CniProfile, workspace: CniWorkspace | null, profile: CniClusterContext, as?: CniType): ResolvedCni {
  const assumptions: string[] = [];
  let type: CniType;
  if (as) type = as;
  else if (cni.type !== 'auto') type = cni.type;
  else if (workspace && workspace.detected.length > 0) type = workspace.detected[0]!;
  else {
    type = 'flannel';
    assumptions.push('cni.type is not set and no CNI object is in the workspace: assuming flannel from kube-flannel.yml, the CNI the profile\'s other defaults (10.244.0.0/16, a bridge gateway per node) describe');
  }
  const ws = workspace;
  const set = <T>(key: string, fromWorkspace: Setting<T> | undefined, fromProfile: T | undefined, fallback: T): Setting<T> =>
    fromWorkspace ?? (fromProfile !== undefined ? { value: fromProfile, origin: 'profile', key } : { value: fallback, origin: 'default', key });

  switch (type) {
    case 'calico': {
      let pools: CalicoPool[] = ws?.calicoPools.slice() ?? [];
      if (pools.length === 0 && cni.ipPools) {
        pools = cni.ipPools.map((p, i) => ({
          name: p.name ?? `profile-pool-${i}`,
          cidr: { value: p.cidr, origin: 'profile', key: 'IPPool.spec.cidr' },
          // CAL: natOutgoing and disabled default to false in the IPPool resource reference
          natOutgoing: { value: p.natOutgoing ?? false, origin: p.natOutgoing === undefined ? 'default' : 'profile', key: 'IPPool.spec.natOutgoing' },
          disabled: { value: p.disabled ?? false, origin: p.disabled === undefined ? 'default' : 'profile', key: 'IPPool.spec.disabled' },
          // CAL: ipipMode and vxlanMode default to Never in the IPPool resource reference
          ipipMode: { value: p.ipipMode ?? 'Never', origin: p.ipipMode === undefined ? 'default' : 'profile', key: 'IPPool.spec.ipipMode' },
          vxlanMode: { value: p.vxlanMode ?? 'Never', origin: p.vxlanMode === undefined ? 'default' : 'profile', key: 'IPPool.spec.vxlanMode' },
        }));
      }
      if (pools.length === 0 && profile.clusterCIDR) {
        // CAL: the resource default is false, but installs create their default pool with NAT on
        // (the operator's sample Installation: natOutgoing: Enabled; calico.yaml's CALICO_IPV4POOL_NAT_OUTGOING).
        pools = [{
          name: 'default-ipv4-ippool',
          cidr: { value: profile.clusterCIDR, origin: 'default', key: 'IPPool.spec.cidr' },
          natOutgoing: { value: true, origin: 'default', key: 'IPPool.spec.natOutgoing' },
          disabled: { value: false, origin: 'default', key: 'IPPool.spec.disabled' },
          // CAL: calico.yaml's CALICO_IPV4POOL_IPIP is "Always" (and CALICO_IPV4POOL_VXLAN "Never") for the pool it creates
          ipipMode: { value: 'Always', origin: 'default', key: 'IPPool.spec.ipipMode' },
          vxlanMode: { value: 'Never', origin: 'default', key: 'IPPool.spec.vxlanMode' },
        }];
        assumptions.push(`No IPPool in the workspace or the profile: assuming the pool an install creates, ${profile.clusterCIDR} (the profile's clusterCIDR) with natOutgoing: true and ipipMode: Always`);
      }
      return {
        config: {
          type, pools,
          // felix rules/nat.go: SNAT --to-source natOutgoingAddress when set, else MASQUERADE
          natOutgoingAddress: set<string | null>('FelixConfiguration.spec.natOutgoingAddress', ws?.felix.natOutgoingAddress, cni.natOutgoingAddress, null),
          natOutgoingExclusions: set<CalicoNatExclusions>('FelixConfiguration.spec.natOutgoingExclusions', ws?.felix.natOutgoingExclusions, cni.natOutgoingExclusions, 'IPPoolsOnly'),
        },
        assumptions,
      };
    }
    case 'cilium': {
      const agent = ws?.ipMasqAgent;
      return {
        config: {
          type,
          // C-masq: "Cilium will automatically masquerade" (enable-ipv4-masquerade defaults to true)
          masquerade: set('enable-ipv4-masquerade', ws?.cilium?.masquerade, cni.masquerade, true),
          // C-masq: eBPF masquerading is enabled with bpf.masquerade=true (off by default)
          bpfMasquerade: set('enable-bpf-masquerade', ws?.cilium?.bpfMasquerade, cni.bpfMasquerade, false),
          // C-masq: without it "the default behavior is to exclude any destination within the IP allocation CIDR of the local node"
          nativeRoutingCIDR: set<string | null>(profile.ipFamily === 'IPv6' ? 'ipv6-native-routing-cidr' : 'ipv4-native-routing-cidr', ws?.cilium?.nativeRoutingCIDR, cni.nativeRoutingCIDR, null),
          // Helm routingMode defaults to tunnel (vxlan) — inferred from the chart, not in the reference
          routingMode: set<CiliumRoutingMode>('routing-mode', ws?.cilium?.routingMode, cni.routingMode, 'tunnel'),
          ipMasqAgent: set('enable-ip-masq-agent', ws?.cilium?.ipMasqAgent, cni.ipMasqAgent, false),
          // C-masq: an empty agent configuration provisions the reserved-range list
          nonMasqueradeCIDRs: set<readonly string[] | null>('ip-masq-agent nonMasqueradeCIDRs', agent?.nonMasqueradeCIDRs, cni.nonMasqueradeCIDRs, null),
          masqLinkLocal: set('ip-masq-agent masqLinkLocal', agent?.masqLinkLocal, cni.masqLinkLocal, false),
        },
        assumptions,
      };
    }
    case 'flannel': {
      if (!ws?.flannel?.network && cni.network === undefined && !profile.clusterCIDR) assumptions.push('flannel: no network (net-conf.json Network, cni.network or clusterCIDR) known');
      return {
        config: {
          type,
          // FL: the flag defaults to false, but the shipped kube-flannel.yml passes --ip-masq
          ipMasq: set('flanneld --ip-masq', ws?.flannel?.ipMasq, cni.ipMasq, true),
          // FL: kube-flannel.yml's net-conf.json "Network": "10.244.0.0/16" — the profile's clusterCIDR stands in
          network: set<string | null>('net-conf.json Network', ws?.flannel?.network, cni.network, profile.clusterCIDR),
          // FL: kube-flannel.yml's net-conf.json sets "Backend": {"Type": "vxlan"}; backends.md: VNI 1, DirectRouting false
          backend: set('net-conf.json Backend.Type', ws?.flannel?.backend, cni.backend, 'vxlan'),
          directRouting: set('net-conf.json Backend.DirectRouting', ws?.flannel?.directRouting, undefined, false),
          vni: set('net-conf.json Backend.VNI', ws?.flannel?.vni, undefined, 1),
        },
        assumptions,
      };
    }
    case 'aws-vpc-cni': {
      if (cni.vpcCIDRs === undefined && profile.clusterCIDR) {
        assumptions.push(`aws-vpc-cni: the VPC CIDRs come from the instance metadata; set cni.vpcCIDRs. Assuming the profile's clusterCIDR ${profile.clusterCIDR} (pods take VPC addresses)`);
      }
      return {
        config: {
          type,
          // AWS: AWS_VPC_K8S_CNI_EXTERNALSNAT defaults to false, so the CNI SNATs
          externalSNAT: set('AWS_VPC_K8S_CNI_EXTERNALSNAT', ws?.aws?.externalSNAT, cni.externalSNAT, false),
          excludeSNATCIDRs: set<readonly string[]>('AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS', ws?.aws?.excludeSNATCIDRs, cni.excludeSNATCIDRs, []),
          vpcCIDRs: set<readonly string[]>('VPC CIDRs', undefined, cni.vpcCIDRs, profile.clusterCIDR ? [profile.clusterCIDR] : []),
          // AWS: pkg/networkutils: "Default is prng" (--random-fully)
          randomizeSNAT: set<AwsRandomizeSNAT>('AWS_VPC_K8S_CNI_RANDOMIZESNAT', ws?.aws?.randomizeSNAT, cni.randomizeSNAT, 'prng'),
        },
        assumptions,
      };
    }
    case 'ip-masq-agent': {
      const agent = ws?.ipMasqAgent;
      const nomasq = set('--nomasq-all-reserved-ranges', agent?.nomasqAllReservedRanges, cni.nomasqAllReservedRanges, false);
      return {
        config: {
          type,
          // IMA: NewMasqConfig — RFC 1918 (plus the reserved ranges with --nomasq-all-reserved-ranges), masqLinkLocal false, resync 60s
          nonMasqueradeCIDRs: set<readonly string[]>('nonMasqueradeCIDRs', agent?.nonMasqueradeCIDRs, cni.nonMasqueradeCIDRs,
            nomasq.value ? [...IP_MASQ_AGENT_DEFAULT_CIDRS, ...RESERVED_RANGES] : IP_MASQ_AGENT_DEFAULT_CIDRS),
          masqLinkLocal: set('masqLinkLocal', agent?.masqLinkLocal, cni.masqLinkLocal, false),
          masqLinkLocalIPv6: set('masqLinkLocalIPv6', agent?.masqLinkLocalIPv6, cni.masqLinkLocalIPv6, false),
          resyncInterval: set('resyncInterval', agent?.resyncInterval, cni.resyncInterval, '60s'),
          nomasqAllReservedRanges: nomasq,
        },
        assumptions,
      };
    }
    case 'none':
      return { config: { type }, assumptions };
  }
}
