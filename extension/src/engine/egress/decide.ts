// The egress decision: does a pod's connection to a destination leave with the pod's own address,
// or is it SNATed by the CNI, to which address, and which setting decided. One function per CNI,
// each following that CNI's own rules (the source keys in the comments are listed in profile.ts).
import type { ClusterProfile, NodeProfile } from '../model/profile';
import { cidrContains, parseCIDR, parseIP, type IP } from '../util/ip';
import { CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS, LINK_LOCAL_V4, LINK_LOCAL_V6, resolveCni } from './profile';
import { readCniConfig } from './workspace';
import type { ManifestFile } from '../manifest/manifest';
import type {
  AwsVpcCniConfig, CalicoConfig, CiliumConfig, CniConfig, DecidingSetting, EgressDecision, FlannelConfig, IpMasqAgentConfig, Setting,
} from './types';

export interface EgressPod {
  readonly ip: string;
  /** The node the pod runs on (a name from the profile's nodes). */
  readonly node: string;
}

const MULTICAST_V4 = '224.0.0.0/4';
const MULTICAST_V6 = 'ff00::/8';

function inCIDR(cidr: string | null | undefined, ip: IP): boolean {
  const c = cidr ? parseCIDR(cidr) : null;
  return c !== null && cidrContains(c, ip);
}

function used<T>(s: Setting<T>, shown?: string): DecidingSetting {
  const value = shown ?? (Array.isArray(s.value) ? (s.value.length ? s.value.join(', ') : '[]') : s.value === null ? 'unset' : String(s.value));
  return { key: s.key, value, origin: s.origin, source: s.source };
}

function origin(s: Setting<unknown>): string {
  return s.origin === 'default' ? ' (default)' : s.origin === 'profile' ? ' (profile)' : '';
}

export function nodeAddress(profile: ClusterProfile, node: NodeProfile | undefined): string | null {
  if (!node) return null;
  return node.ips.find(ip => parseIP(ip)?.family === profile.ipFamily) ?? node.ips[0] ?? null;
}

interface Ctx {
  readonly profile: ClusterProfile;
  readonly pod: EgressPod;
  readonly podIP: IP;
  readonly dstText: string;
  readonly dst: IP;
  readonly node: NodeProfile | undefined;
  readonly nodeIP: string | null;
}

const ownIP = (c: Ctx, reason: string, decidedBy: DecidingSetting[], notes: string[] = []): EgressDecision =>
  ({ verdict: 'own-ip', sourceSeen: c.pod.ip, translation: 'none', natNode: null, reason, decidedBy, notes });

const masquerade = (c: Ctx, reason: string, decidedBy: DecidingSetting[], notes: string[] = []): EgressDecision => ({
  verdict: 'snat', sourceSeen: c.nodeIP, translation: 'masquerade', natNode: c.pod.node, reason, decidedBy,
  notes: [...notes, `MASQUERADE uses an address of the interface the packet leaves ${c.pod.node} by; NAT Lens shows the node's primary address.`],
});

const snatTo = (c: Ctx, address: string, reason: string, decidedBy: DecidingSetting[], notes: string[] = []): EgressDecision =>
  ({ verdict: 'snat', sourceSeen: address, translation: 'snat-to-source', natNode: c.pod.node, reason, decidedBy, notes });

/** What the pod's CNI does to a new connection from `pod` to `dst` (an address that is not a Service's). */
export function egressDecision(config: CniConfig, profile: ClusterProfile, pod: EgressPod, dst: string): EgressDecision {
  const notEgress = (reason: string): EgressDecision => ({ verdict: 'not-egress', sourceSeen: null, translation: 'none', natNode: null, reason, decidedBy: [], notes: [] });
  const podIP = parseIP(pod.ip), dstIP = parseIP(dst);
  if (!podIP) return notEgress(`${pod.ip} is not an IP address`);
  if (!dstIP) return notEgress(`${dst} is not an IP address`);
  if (podIP.family !== dstIP.family) return notEgress(`${pod.ip} and ${dst} are of different IP families; nothing translates between them`);
  const service = profile.serviceCIDRs.find(c => inCIDR(c, dstIP));
  if (service) {
    return notEgress(`${dst} is in the Service CIDR ${service}: kube-proxy DNATs it on ${pod.node} first, and the CNI's egress rules then see the endpoint's address`);
  }
  const node = profile.nodes.find(n => n.name === pod.node);
  const c: Ctx = { profile, pod, podIP, dstText: dst, dst: dstIP, node, nodeIP: nodeAddress(profile, node) };
  if (node && (node.ips.includes(dst) || node.podGateway === dst)) {
    return ownIP(c, `${dst} is an address of ${pod.node} itself: the packet is delivered locally (PREROUTING, INPUT) and never reaches the POSTROUTING rules that SNAT`, []);
  }
  switch (config.type) {
    case 'calico': return calico(config, c);
    case 'cilium': return cilium(config, c);
    case 'flannel': return flannel(config, c);
    case 'aws-vpc-cni': return aws(config, c);
    case 'ip-masq-agent': return ipMasqAgent(config, c);
    case 'none': return ownIP(c, 'cni.type is none: no egress NAT is modelled, the pod\'s address leaves the node unchanged', []);
  }
}

/**
 * CAL, felix rules/nat.go: cali-nat-outgoing MASQUERADEs (or SNATs to natOutgoingAddress) packets whose
 * source is in a natOutgoing pool and whose destination is in no pool ("all-ipam-pools", which
 * includes disabled pools — the documented way to exempt a CIDR), and with natOutgoingExclusions
 * IPPoolsAndHostIPs in no host's address either.
 */
function calico(cfg: CalicoConfig, c: Ctx): EgressDecision {
  const matching = cfg.pools
    .map(p => ({ p, cidr: parseCIDR(p.cidr.value) }))
    .filter((x): x is { p: typeof x.p; cidr: NonNullable<typeof x.cidr> } => x.cidr !== null);
  const own = matching.filter(x => cidrContains(x.cidr, c.podIP)).sort((a, b) => b.cidr.prefix - a.cidr.prefix)[0]?.p;
  if (!own) {
    return ownIP(c, `${c.pod.ip} is in no Calico IP pool (${cfg.pools.map(p => p.cidr.value).join(', ') || 'none known'}), and Calico NATs only sources in natOutgoing pools`, cfg.pools.map(p => used(p.cidr)));
  }
  const target = matching.filter(x => cidrContains(x.cidr, c.dst)).sort((a, b) => b.cidr.prefix - a.cidr.prefix)[0]?.p;
  if (target) {
    const what = target.disabled.value ? `the disabled IP pool ${target.name} (${target.cidr.value}), which still counts as a Calico pool` : `the IP pool ${target.name} (${target.cidr.value})`;
    return ownIP(c, `${c.dstText} is in ${what}: Calico never NATs traffic to an address inside any of its pools`, [used(target.cidr), ...(target.disabled.value ? [used(target.disabled)] : [])]);
  }
  if (cfg.natOutgoingExclusions.value === 'IPPoolsAndHostIPs') {
    const host = c.profile.nodes.find(n => n.ips.includes(c.dstText));
    if (host) return ownIP(c, `${c.dstText} is node ${host.name}'s address and natOutgoingExclusions is IPPoolsAndHostIPs`, [used(cfg.natOutgoingExclusions)]);
  }
  if (!own.natOutgoing.value) {
    return ownIP(c, `the pod's pool ${own.name} (${own.cidr.value}) has natOutgoing: false${origin(own.natOutgoing)}: Calico leaves its traffic unNATed everywhere`, [used(own.natOutgoing)]);
  }
  const why = `the pod's pool ${own.name} has natOutgoing: true${origin(own.natOutgoing)} and ${c.dstText} is outside every Calico pool`;
  if (cfg.natOutgoingAddress.value) {
    return snatTo(c, cfg.natOutgoingAddress.value, `${why}; FelixConfiguration natOutgoingAddress makes it SNAT --to-source ${cfg.natOutgoingAddress.value}`, [used(own.natOutgoing), used(cfg.natOutgoingAddress)]);
  }
  return masquerade(c, `${why}: MASQUERADE`, [used(own.natOutgoing)]);
}

/**
 * C-masq and cilium pkg/datapath config: masquerading is on by default; destinations in the
 * native-routing CIDR (default: the local node's pod CIDR) and other cluster nodes are excluded; with
 * the eBPF ip-masq-agent the exclusion is the configured native-routing CIDR only, plus the agent's
 * nonMasqueradeCIDRs (default list when empty) and link-local unless masqLinkLocal.
 */
function cilium(cfg: CiliumConfig, c: Ctx): EgressDecision {
  if (!cfg.masquerade.value) return ownIP(c, `${cfg.masquerade.key}: false${origin(cfg.masquerade)}: Cilium does not masquerade`, [used(cfg.masquerade)]);
  const notes: string[] = [];
  const remoteNode = c.profile.nodes.find(n => n.name !== c.pod.node && n.ips.includes(c.dstText));
  if (remoteNode) {
    return ownIP(c, `${c.dstText} is cluster node ${remoteNode.name}: Cilium excludes traffic to cluster nodes from masquerading`, [used(cfg.masquerade)],
      cfg.bpfMasquerade.value ? ['eBPF masquerading also leaves traffic to the nodes\' ExternalIPs unmasqueraded (cilium#17177).'] : []);
  }
  const agent = cfg.ipMasqAgent.value && cfg.bpfMasquerade.value;
  if (cfg.ipMasqAgent.value && !cfg.bpfMasquerade.value) notes.push(`${cfg.ipMasqAgent.key}: true has no effect without eBPF masquerading (${cfg.bpfMasquerade.key}: false): Cilium's ip-masq-agent is implemented in eBPF.`);
  if (agent) {
    if (cfg.nativeRoutingCIDR.value && inCIDR(cfg.nativeRoutingCIDR.value, c.dst)) {
      return ownIP(c, `${c.dstText} is inside ${cfg.nativeRoutingCIDR.key} ${cfg.nativeRoutingCIDR.value}`, [used(cfg.nativeRoutingCIDR)], notes);
    }
    const linkLocal = c.dst.family === 'IPv4' ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
    if (!cfg.masqLinkLocal.value && inCIDR(linkLocal, c.dst)) {
      return ownIP(c, `${c.dstText} is link-local (${linkLocal}) and masqLinkLocal is false${origin(cfg.masqLinkLocal)}`, [used(cfg.masqLinkLocal)], notes);
    }
    // C-masq: "If the configuration file is empty" the agent provisions its default list (an empty
    // list treated the same way is inferred)
    const configured = cfg.nonMasqueradeCIDRs.value && cfg.nonMasqueradeCIDRs.value.length > 0 ? cfg.nonMasqueradeCIDRs.value : null;
    const list = configured ?? CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS;
    const hit = list.find(x => inCIDR(x, c.dst));
    const setting = used(cfg.nonMasqueradeCIDRs, configured ? undefined : `default list (${CILIUM_IP_MASQ_AGENT_DEFAULT_CIDRS.length} reserved ranges)`);
    if (hit) return ownIP(c, `${c.dstText} is in the ip-masq-agent's nonMasqueradeCIDRs entry ${hit}${configured ? '' : ' (the agent\'s default list)'}`, [used(cfg.ipMasqAgent), setting], notes);
    return masquerade(c, `eBPF ip-masq-agent: ${c.dstText} is in no nonMasqueradeCIDRs entry, so Cilium masquerades it to the output device's address`, [used(cfg.ipMasqAgent), setting], notes);
  }
  const exclusion = cfg.nativeRoutingCIDR.value ?? c.node?.podCIDR ?? null;
  if (exclusion && inCIDR(exclusion, c.dst)) {
    return ownIP(c, cfg.nativeRoutingCIDR.value
      ? `${c.dstText} is inside ${cfg.nativeRoutingCIDR.key} ${cfg.nativeRoutingCIDR.value}`
      : `${cfg.nativeRoutingCIDR.key} is not set, so Cilium excludes the local node's pod CIDR ${exclusion}, which holds ${c.dstText}`, [used(cfg.nativeRoutingCIDR)], notes);
  }
  // Tunnel mode: pod-to-pod traffic across nodes leaves by the cilium_vxlan/geneve device, which the
  // masquerade rule (! -o cilium_+) and the eBPF program (native devices only) skip — inferred.
  if (cfg.routingMode.value === 'tunnel' && inCIDR(c.profile.clusterCIDR, c.dst)) {
    return ownIP(c, `routing-mode tunnel${origin(cfg.routingMode)}: ${c.dstText} is a pod address (clusterCIDR ${c.profile.clusterCIDR}) reached through the tunnel device, which Cilium does not masquerade on`, [used(cfg.routingMode)], notes);
  }
  const how = cfg.bpfMasquerade.value ? 'eBPF masquerading' : 'iptables masquerading';
  return masquerade(c, `${cfg.masquerade.key}: true${origin(cfg.masquerade)} and ${c.dstText} is outside ${cfg.nativeRoutingCIDR.value ? `${cfg.nativeRoutingCIDR.key} ${cfg.nativeRoutingCIDR.value}` : `the local pod CIDR ${exclusion ?? '(unknown)'}`}: ${how} to the output device's address`,
    [used(cfg.masquerade), used(cfg.bpfMasquerade), used(cfg.nativeRoutingCIDR)], notes);
}

/**
 * FL, flannel pkg/trafficmngr/iptables masqRules: FLANNEL-POSTRTG returns for traffic inside the
 * flannel network and for multicast, and MASQUERADEs the rest of the pod network's traffic.
 */
function flannel(cfg: FlannelConfig, c: Ctx): EgressDecision {
  if (!cfg.ipMasq.value) return ownIP(c, `flanneld runs without --ip-masq${cfg.ipMasq.origin === 'workspace' ? '' : origin(cfg.ipMasq)}: flannel installs no masquerade rules`, [used(cfg.ipMasq)]);
  const net = cfg.network.value;
  if (!net || !inCIDR(net, c.podIP)) return ownIP(c, `${c.pod.ip} is outside the flannel network ${net ?? '(unknown)'}; flannel masquerades only its own pods`, [used(cfg.network)]);
  if (inCIDR(net, c.dst)) return ownIP(c, `${c.dstText} is inside the flannel network ${net}: pod-to-pod traffic is never masqueraded`, [used(cfg.network)]);
  const mcast = c.dst.family === 'IPv4' ? MULTICAST_V4 : MULTICAST_V6;
  if (inCIDR(mcast, c.dst)) return ownIP(c, `${c.dstText} is multicast (${mcast}), which flannel exempts`, [used(cfg.ipMasq)]);
  return masquerade(c, `flanneld --ip-masq${origin(cfg.ipMasq)}: ${c.dstText} is outside the flannel network ${net}`, [used(cfg.ipMasq), used(cfg.network)]);
}

/**
 * AWS, pkg/networkutils: AWS-SNAT-CHAIN-0 returns for the VPC CIDRs and the excluded CIDRs, then
 * "AWS, SNAT": ! -o vlan+ ! --dst-type LOCAL -j SNAT --to-source <primary ENI's primary IP>.
 */
function aws(cfg: AwsVpcCniConfig, c: Ctx): EgressDecision {
  if (cfg.externalSNAT.value) {
    return ownIP(c, `AWS_VPC_K8S_CNI_EXTERNALSNAT=true: aws-node installs no SNAT rule; a NAT gateway (or another device) must translate ${c.pod.ip} for destinations outside the VPC`, [used(cfg.externalSNAT)]);
  }
  const vpc = cfg.vpcCIDRs.value.find(x => inCIDR(x, c.dst));
  if (vpc) return ownIP(c, `${c.dstText} is inside the VPC CIDR ${vpc}: traffic within the VPC is not SNATed`, [used(cfg.vpcCIDRs)]);
  const excl = cfg.excludeSNATCIDRs.value.find(x => inCIDR(x, c.dst));
  if (excl) return ownIP(c, `${c.dstText} is in AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS entry ${excl}`, [used(cfg.excludeSNATCIDRs)]);
  const random = cfg.randomizeSNAT.value === 'prng' ? ' --random-fully' : cfg.randomizeSNAT.value === 'hashrandom' ? ' --random' : '';
  if (!c.nodeIP) return ownIP(c, `node ${c.pod.node} is not in the profile: its primary ENI address is unknown`, [used(cfg.externalSNAT)]);
  return snatTo(c, c.nodeIP, `AWS_VPC_K8S_CNI_EXTERNALSNAT=false${origin(cfg.externalSNAT)} and ${c.dstText} is outside the VPC (${cfg.vpcCIDRs.value.join(', ') || 'no CIDR known'}): SNAT --to-source ${c.nodeIP}${random}, the primary IP of ${c.pod.node}'s primary ENI`,
    [used(cfg.externalSNAT), used(cfg.vpcCIDRs), used(cfg.excludeSNATCIDRs), used(cfg.randomizeSNAT)],
    ['Pods on a branch ENI (security groups for pods, traffic out a vlan+ device) are not SNATed by this rule.']);
}

/**
 * IMA, ip-masq-agent syncMasqRules: POSTROUTING ! --dst-type LOCAL → IP-MASQ-AGENT: RETURN for
 * link-local (unless masqLinkLocal) and each nonMasqueradeCIDRs entry, then MASQUERADE.
 */
function ipMasqAgent(cfg: IpMasqAgentConfig, c: Ctx): EgressDecision {
  if (c.dst.family === 'IPv6') {
    // IMA: IPv6 rules only with --enable-ipv6 (default false)
    return ownIP(c, 'ip-masq-agent writes IPv6 rules only when started with --enable-ipv6 (off by default); NAT Lens assumes it is off', []);
  }
  if (!cfg.masqLinkLocal.value && inCIDR(LINK_LOCAL_V4, c.dst)) {
    return ownIP(c, `${c.dstText} is link-local (${LINK_LOCAL_V4}) and masqLinkLocal is false${origin(cfg.masqLinkLocal)}`, [used(cfg.masqLinkLocal)]);
  }
  const hit = cfg.nonMasqueradeCIDRs.value.find(x => inCIDR(x, c.dst));
  if (hit) return ownIP(c, `${c.dstText} is in nonMasqueradeCIDRs entry ${hit}${origin(cfg.nonMasqueradeCIDRs)}`, [used(cfg.nonMasqueradeCIDRs)]);
  return masquerade(c, `${c.dstText} is in no nonMasqueradeCIDRs entry${origin(cfg.nonMasqueradeCIDRs)}: the last IP-MASQ-AGENT rule MASQUERADEs it`,
    [used(cfg.nonMasqueradeCIDRs), used(cfg.masqLinkLocal)]);
}

/** The CNI's egress decision for a cluster, from the workspace's CNI objects and the profile (for the walk). */
export function egressDeciderFor(files: readonly ManifestFile[], profile: ClusterProfile): (pod: EgressPod, dst: string) => EgressDecision {
  const resolved = resolveCni(profile.cni, readCniConfig(files), profile);
  return (pod, dst) => egressDecision(resolved.config, profile, pod, dst);
}
