// The pod network: how pod traffic crosses nodes, and so which interface a packet for a pod on another
// node leaves by. MASQUERADE takes an address of that interface (the kernel's nf_nat_masquerade_ipv4
// asks inet_select_addr on the output device), so this decides what a remote endpoint sees after
// kube-proxy's SNAT. Sources, besides the keys in profile.ts:
//   FL-vx   flannel-io/flannel pkg/backend/vxlan/vxlan.go RegisterNetwork: device flannel.<VNI> gets
//           the lease subnet's address as a /32 ("used as a source address for host to workload traffic")
//   FL-wg   flannel-io/flannel pkg/backend/wireguard/wireguard.go RegisterNetwork: flannel-wg gets lease.Subnet.IP
//   FL-be   flannel Documentation/backends.md: host-gw routes via the remote node; DirectRouting routes
//           hosts on the same subnet and encapsulates only across subnets
//   CAL-enc IPPool ipipMode/vxlanMode (tunl0, vxlan.calico); CrossSubnet encapsulates only across
//           subnets; calico-node writes each node's tunnel address, allocated from Calico IPAM, into the
//           Node annotations projectcalico.org/IPv4IPIPTunnelAddr and IPv4VXLANTunnelAddr, and its
//           address with prefix into projectcalico.org/IPv4Address
//   C-ann   cilium/cilium pkg/annotation: network.cilium.io/ipv4-cilium-host (alias
//           io.cilium.network.ipv4-cilium-host), the router IP on cilium_host; tunnel routes to other
//           nodes' pod CIDRs go by cilium_host (routing-mode tunnel, the Helm default)
import type { ClusterProfile, NodeProfile } from '../model/profile';
import { cidrContains, formatIP, parseCIDR, parseIP, type CIDR } from '../util/ip';
import { resolveCni } from './profile';
import type { CniType, Setting, SettingSource } from './types';
import { CILIUM_NODE_INTERNAL_IP, type CniWorkspace } from './workspace';

export type PodNetworkMode = 'vxlan' | 'ipip' | 'wireguard' | 'tunnel' | 'routed' | 'not-modelled';

/** Where an overlay device's address comes from. */
export type AddressSource =
  /** flannel: the node's pod subnet's own address (its ".0"). */
  | { readonly kind: 'pod-subnet'; readonly podCIDR: string }
  /** What the CNI published about the node (a Node annotation, a CiliumNode address). */
  | { readonly kind: 'published'; readonly key: string; readonly source?: SettingSource | undefined }
  /** Calico: assumed to be the first address of an IPAMBlock affine to the node. */
  | { readonly kind: 'ipam-block'; readonly block: string; readonly source: SettingSource };

/** Why an overlay device's address (or whether the overlay is used at all) is not in the input. */
export type AddressGap =
  | { readonly kind: 'no-pod-cidr' }
  /** None of these is in the input (annotations of the Node, CNI objects). */
  | { readonly kind: 'not-published'; readonly wanted: readonly string[] }
  /** CrossSubnet / DirectRouting: encapsulated only across subnets, and the nodes' subnets are unknown. */
  | { readonly kind: 'subnet-unknown'; readonly other: string; readonly setting: string }
  | { readonly kind: 'backend-not-modelled'; readonly backend: string }
  /** An IPv6 profile: only the overlay's IPv4 side is modelled. */
  | { readonly kind: 'family-not-modelled' };

/** The interface a node sends pod traffic to another node by, and its address there. */
export type OverlayDevice =
  | { readonly node: string; readonly device: string; readonly address: string; readonly source: AddressSource }
  | { readonly node: string; readonly device: string; readonly address: null; readonly gap: AddressGap };

export interface PodNetwork {
  readonly cni: CniType;
  readonly mode: PodNetworkMode;
  /** The setting that decided the mode (a Calico network: its first pool's). */
  readonly decidedBy: Setting<unknown> | null;
  /** The device a packet from `node` to the pod `dst` on `remote` leaves by; null: the uplink (routed). */
  deviceTo(node: NodeProfile, remote: NodeProfile, dst: string): OverlayDevice | null;
  /** The device each node uses towards pods on other nodes (null: routed), for the surfaces. */
  readonly devices: readonly OverlayDevice[];
  /**
   * The host side of a pod's link has no IPv4 address (Calico's cali* and the AWS VPC CNI's eni*
   * veths route by /32 without one): MASQUERADE towards a local pod falls back to the node address.
   */
  readonly addresslessPodLinks: boolean;
}

const CALICO_IPIP_ANNOTATION = 'projectcalico.org/IPv4IPIPTunnelAddr';
const CALICO_VXLAN_ANNOTATION = 'projectcalico.org/IPv4VXLANTunnelAddr';
const CALICO_ADDRESS_ANNOTATION = 'projectcalico.org/IPv4Address';
const CILIUM_HOST_ANNOTATIONS = ['network.cilium.io/ipv4-cilium-host', 'io.cilium.network.ipv4-cilium-host'];
const ADDRESSLESS_POD_LINKS: readonly CniType[] = ['calico', 'aws-vpc-cni'];
/** Backends whose pod traffic is routed by the node network or a cloud route table (FL-be). */
const FLANNEL_ROUTED = ['host-gw', 'aws-vpc', 'gce', 'ali-vpc', 'alloc'];

/**
 * The pod network of the profile's CNI (its `cni`, else the CNI objects in the workspace); null when
 * neither names one: then the walk keeps the textbook routed network.
 */
export function podNetworkOf(profile: ClusterProfile, workspace: CniWorkspace | null): PodNetwork | null {
  if (profile.cni.type === 'auto' && !workspace?.detected.length) return null;
  const config = resolveCni(profile.cni, workspace, profile).config;
  const published = (node: string, keys: readonly string[]) => {
    const known = workspace?.nodeAddresses.get(node);
    for (const key of keys) {
      const s = known?.get(key);
      if (s) return { value: s.value, key, source: s.source };
    }
    return null;
  };
  /** `sample`: a pod address on another node, for the devices list where that node's pod CIDR is unknown (Calico IPAM). */
  const build = (cni: CniType, mode: PodNetworkMode, decidedBy: Setting<unknown> | null, ipv4DeviceTo: PodNetwork['deviceTo'], sample: string | null = null): PodNetwork => {
    // the devices' IPv6 sides (flannel-v6.<VNI>, Calico's IPv6 tunnel annotations, ipv6-cilium-host) are not modelled: said, not guessed
    const deviceTo: PodNetwork['deviceTo'] = profile.ipFamily === 'IPv4' ? ipv4DeviceTo : (n, remote, dst) => {
      const d = ipv4DeviceTo(n, remote, dst);
      return d && { node: d.node, device: d.device, address: null, gap: { kind: 'family-not-modelled' } };
    };
    const devices: OverlayDevice[] = [];
    for (const n of profile.nodes) {
      const other = profile.nodes.find(m => m.name !== n.name);
      const dst = other?.podCIDR ? firstAddress(other.podCIDR) : sample;
      const d = other && dst ? deviceTo(n, other, dst) : null;
      if (d) devices.push(d);
    }
    return { cni, mode, decidedBy, deviceTo, devices, addresslessPodLinks: ADDRESSLESS_POD_LINKS.includes(cni) };
  };

  switch (config.type) {
    case 'flannel': {
      const backend = config.backend;
      if (FLANNEL_ROUTED.includes(backend.value)) return build('flannel', 'routed', backend, () => null);
      const device = backend.value === 'vxlan' ? `flannel.${config.vni.value}` : backend.value === 'wireguard' ? 'flannel-wg' : null;
      if (!device) {
        return build('flannel', 'not-modelled', backend, n => ({ node: n.name, device: `flannel ${backend.value}`, address: null, gap: { kind: 'backend-not-modelled', backend: backend.value } }));
      }
      const mode = backend.value === 'vxlan' ? 'vxlan' : 'wireguard';
      return build('flannel', mode, backend, (n, remote) => {
        // FL-be: DirectRouting sends traffic to hosts on the same subnet by their address
        if (mode === 'vxlan' && config.directRouting.value) {
          const same = sameSubnet(n, remote, published);
          if (same === null) return { node: n.name, device, address: null, gap: { kind: 'subnet-unknown', other: remote.name, setting: 'Backend.DirectRouting: true' } };
          if (same) return null;
        }
        // FL-vx, FL-wg: the lease subnet's own address
        const address = n.podCIDR ? firstAddress(n.podCIDR) : null;
        return address ? { node: n.name, device, address, source: { kind: 'pod-subnet', podCIDR: n.podCIDR! } } : { node: n.name, device, address: null, gap: { kind: 'no-pod-cidr' } };
      });
    }
    case 'calico': {
      const pools = config.pools.filter(p => !p.disabled.value).map(p => ({ p, cidr: parseCIDR(p.cidr.value) })).filter((x): x is { p: typeof x.p; cidr: CIDR } => x.cidr !== null);
      const first = pools[0]?.p;
      const mode: PodNetworkMode = !first ? 'routed' : first.vxlanMode.value !== 'Never' ? 'vxlan' : first.ipipMode.value !== 'Never' ? 'ipip' : 'routed';
      const decidedBy = !first ? null : mode === 'vxlan' ? first.vxlanMode : first.ipipMode;
      return build('calico', mode, decidedBy, (n, remote, dst) => {
        const ip = parseIP(dst);
        const pool = ip ? pools.find(x => cidrContains(x.cidr, ip)) : undefined;
        if (!pool) return null;
        const vxlan = pool.p.vxlanMode.value !== 'Never';
        const setting = vxlan ? pool.p.vxlanMode : pool.p.ipipMode;
        if (setting.value === 'Never') return null;
        const device = vxlan ? 'vxlan.calico' : 'tunl0';
        if (setting.value === 'CrossSubnet') {
          const same = sameSubnet(n, remote, published);
          if (same === null) return { node: n.name, device, address: null, gap: { kind: 'subnet-unknown', other: remote.name, setting: `${setting.key}: CrossSubnet` } };
          if (same) return null;
        }
        const annotation = vxlan ? CALICO_VXLAN_ANNOTATION : CALICO_IPIP_ANNOTATION;
        const known = published(n.name, [annotation]);
        if (known) return { node: n.name, device, address: known.value, source: { kind: 'published', key: known.key, source: known.source } };
        // the node's block in the pool: calico-node allocates the tunnel address from it before any pod starts
        const block = workspace?.calicoBlocks.find(b => b.node === n.name && inside(pool.cidr, b.cidr));
        const address = block ? firstAddress(block.cidr) : null;
        if (block && address) return { node: n.name, device, address, source: { kind: 'ipam-block', block: block.cidr, source: block.source } };
        return { node: n.name, device, address: null, gap: { kind: 'not-published', wanted: [`Node ${n.name} annotation ${annotation}`, `IPAMBlock affinity host:${n.name}`] } };
      }, pools[0] ? formatIP(pools[0].cidr.ip) : null);
    }
    case 'cilium': {
      if (config.routingMode.value !== 'tunnel') return build('cilium', 'routed', config.routingMode, () => null);
      return build('cilium', 'tunnel', config.routingMode, n => {
        const known = published(n.name, [...CILIUM_HOST_ANNOTATIONS, CILIUM_NODE_INTERNAL_IP]);
        if (known) return { node: n.name, device: 'cilium_host', address: known.value, source: { kind: 'published', key: known.key, source: known.source } };
        return { node: n.name, device: 'cilium_host', address: null, gap: { kind: 'not-published', wanted: [`Node ${n.name} annotation ${CILIUM_HOST_ANNOTATIONS[0]}`, `CiliumNode ${n.name} CiliumInternalIP`] } };
      });
    }
    default:
      // AWS VPC CNI: pods have VPC addresses and the VPC routes them; ip-masq-agent and none say nothing of an overlay
      return routed(config.type);
  }
}

function routed(cni: CniType): PodNetwork {
  return { cni, mode: 'routed', decidedBy: null, deviceTo: () => null, devices: [], addresslessPodLinks: ADDRESSLESS_POD_LINKS.includes(cni) };
}

/** Whether two nodes share a subnet, from Calico's projectcalico.org/IPv4Address annotations; null: unknown. */
function sameSubnet(a: NodeProfile, b: NodeProfile, published: (node: string, keys: readonly string[]) => { value: string } | null): boolean | null {
  const net = (n: NodeProfile) => { const v = published(n.name, [CALICO_ADDRESS_ANNOTATION])?.value; return v ? parseCIDR(v) : null; };
  const na = net(a), nb = net(b);
  if (!na || !nb) return null;
  return na.prefix === nb.prefix && cidrContains(na, nb.ip);
}

/** The network address of a CIDR ("10.244.1.0/24" → "10.244.1.0"). */
function firstAddress(cidr: string): string | null {
  const c = parseCIDR(cidr);
  return c ? formatIP(c.ip) : null;
}

function inside(outer: CIDR, cidr: string): boolean {
  const c = parseCIDR(cidr);
  return c !== null && c.prefix >= outer.prefix && cidrContains(outer, c.ip);
}
