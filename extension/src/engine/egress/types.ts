// Egress SNAT: what a CNI (or an agent next to it) does to a pod's traffic that leaves for an address
// that is not a Service. kube-proxy only SNATs Service traffic (its masquerade mark is set in the
// Service chains only: kubernetes/kubernetes pkg/proxy/iptables/proxier.go); everything else is the
// CNI's job. These types describe the settings that decide it, where each value came
// from (a documented default, the cluster profile, or a CNI object in the workspace with its range),
// and the decision for one pod and one destination.
import type { FieldPath, SourceRange } from '../manifest/source';

export type CniType = 'calico' | 'cilium' | 'flannel' | 'aws-vpc-cni' | 'ip-masq-agent' | 'none';
export const CNI_TYPES: readonly CniType[] = ['calico', 'cilium', 'flannel', 'aws-vpc-cni', 'ip-masq-agent', 'none'];

/** Where a workspace setting was read: the object, its field path and the range of the value. */
export interface SettingSource {
  readonly fileName: string;
  /** "IPPool/default-ipv4-ippool", "ConfigMap/kube-system/ip-masq-agent", ... */
  readonly object: string;
  /** Path of the field inside its object; inside an embedded config string, continues into it. */
  readonly path: FieldPath;
  /** Range of the value (for an embedded config, the value inside the string when it can be mapped). */
  readonly range: SourceRange;
}

export interface Setting<T> {
  readonly value: T;
  /** 'default': the CNI's documented default; 'profile': the cluster profile's `cni`; 'workspace': a CNI object. */
  readonly origin: 'default' | 'profile' | 'workspace';
  /** Human name of the knob, as the CNI spells it ("IPPool.spec.natOutgoing", "AWS_VPC_K8S_CNI_EXTERNALSNAT"). */
  readonly key: string;
  readonly source?: SettingSource | undefined;
}

export interface CalicoPool {
  readonly name: string;
  readonly cidr: Setting<string>;
  readonly natOutgoing: Setting<boolean>;
  readonly disabled: Setting<boolean>;
  /** IPPool.spec.ipipMode / vxlanMode: when traffic to this pool's addresses on other nodes is encapsulated. */
  readonly ipipMode: Setting<CalicoEncapsulationMode>;
  readonly vxlanMode: Setting<CalicoEncapsulationMode>;
}

export type CalicoEncapsulationMode = 'Always' | 'CrossSubnet' | 'Never';
export const CALICO_ENCAPSULATION_MODES: readonly CalicoEncapsulationMode[] = ['Always', 'CrossSubnet', 'Never'];

export type CalicoNatExclusions = 'IPPoolsOnly' | 'IPPoolsAndHostIPs';

export interface CalicoConfig {
  readonly type: 'calico';
  readonly pools: readonly CalicoPool[];
  /** FelixConfiguration.spec.natOutgoingAddress: SNAT to this address instead of MASQUERADE. */
  readonly natOutgoingAddress: Setting<string | null>;
  readonly natOutgoingExclusions: Setting<CalicoNatExclusions>;
}

export type CiliumRoutingMode = 'tunnel' | 'native';

export interface CiliumConfig {
  readonly type: 'cilium';
  readonly masquerade: Setting<boolean>;
  readonly bpfMasquerade: Setting<boolean>;
  /** null: not set, then the local node's pod CIDR is the exclusion (masquerading.rst). */
  readonly nativeRoutingCIDR: Setting<string | null>;
  readonly routingMode: Setting<CiliumRoutingMode>;
  readonly ipMasqAgent: Setting<boolean>;
  /** null: the agent's default list (masquerading.rst). */
  readonly nonMasqueradeCIDRs: Setting<readonly string[] | null>;
  readonly masqLinkLocal: Setting<boolean>;
}

export interface FlannelConfig {
  readonly type: 'flannel';
  readonly ipMasq: Setting<boolean>;
  /** net-conf.json "Network": flannel's cluster-wide pod network. */
  readonly network: Setting<string | null>;
  /** net-conf.json Backend.Type: how pod traffic crosses nodes (decides the device MASQUERADE sees). */
  readonly backend: Setting<string>;
  /** Backend.DirectRouting (vxlan): hosts on one subnet are routed, not encapsulated. */
  readonly directRouting: Setting<boolean>;
  /** Backend.VNI (vxlan): the device is flannel.<VNI>. */
  readonly vni: Setting<number>;
}

export type AwsRandomizeSNAT = 'prng' | 'hashrandom' | 'none';

export interface AwsVpcCniConfig {
  readonly type: 'aws-vpc-cni';
  readonly externalSNAT: Setting<boolean>;
  readonly excludeSNATCIDRs: Setting<readonly string[]>;
  /** The VPC's CIDRs (ipamd reads them from the instance metadata; NAT Lens needs them from the profile). */
  readonly vpcCIDRs: Setting<readonly string[]>;
  readonly randomizeSNAT: Setting<AwsRandomizeSNAT>;
}

export interface IpMasqAgentConfig {
  readonly type: 'ip-masq-agent';
  readonly nonMasqueradeCIDRs: Setting<readonly string[]>;
  readonly masqLinkLocal: Setting<boolean>;
  readonly masqLinkLocalIPv6: Setting<boolean>;
  readonly resyncInterval: Setting<string>;
  /** The agent's --nomasq-all-reserved-ranges flag (widens the default list). */
  readonly nomasqAllReservedRanges: Setting<boolean>;
}

export interface NoCniConfig {
  readonly type: 'none';
}

export type CniConfig = CalicoConfig | CiliumConfig | FlannelConfig | AwsVpcCniConfig | IpMasqAgentConfig | NoCniConfig;

/** A setting that took part in one decision. */
export interface DecidingSetting {
  readonly key: string;
  readonly value: string;
  readonly origin: Setting<unknown>['origin'];
  readonly source?: SettingSource | undefined;
}

export interface EgressDecision {
  /** 'own-ip': the packet leaves with the pod's address; 'snat': it is rewritten; 'not-egress': not a CNI egress case. */
  readonly verdict: 'own-ip' | 'snat' | 'not-egress';
  /** The source address the destination sees (null for 'not-egress'). */
  readonly sourceSeen: string | null;
  /**
   * How the SNAT address is chosen: MASQUERADE takes an address of the interface the packet leaves by
   * (NAT Lens shows the node's primary address); SNAT --to-source is a fixed address.
   */
  readonly translation: 'none' | 'masquerade' | 'snat-to-source';
  /** The node whose conntrack holds the translation (the pod's node), when translated. */
  readonly natNode: string | null;
  /** One sentence: which setting or CIDR decided. */
  readonly reason: string;
  readonly decidedBy: readonly DecidingSetting[];
  readonly notes: readonly string[];
}
