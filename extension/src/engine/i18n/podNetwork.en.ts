// The pod network's sentences (egress/podNetwork.ts, rendered by facts/podNetwork.ts): which device
// MASQUERADE towards a pod on another node sees, and where its address comes from.
import type { PodNetworkMode } from '../egress/podNetwork';

export const enPodNetwork = {
  podNetworkMode: ({ cni, mode }: { cni: string; mode: PodNetworkMode }) =>
    `${cni} ${mode === 'vxlan' ? 'VXLAN' : mode === 'ipip' ? 'IPIP' : mode === 'wireguard' ? 'WireGuard' : mode === 'tunnel' ? 'tunnel mode' : mode === 'routed' ? 'routed (no overlay)' : 'with a backend NAT Lens does not model'}`,
  podNetworkHover: ({ network, setting, devices }: { network: string; setting: string | null; devices: readonly string[] }) =>
    `Pod network: ${network}${setting ? ` (${setting})` : ''}. ` + (devices.length
      ? `kube-proxy's MASQUERADE towards a pod on another node takes the address of the device the packet leaves by: ${devices.join('; ')}.`
      : 'kube-proxy\'s MASQUERADE towards a pod on another node takes the node\'s address.'),
  podNetworkDevice: ({ node, device, address }: { node: string; device: string; address: string }) => `${node} ${device} ${address}`,
  overlayKnown: ({ node, device, address, source }: { node: string; device: string; address: string; source: string }) =>
    `Towards a pod on another node the packet leaves ${node} by ${device}, so MASQUERADE gives it ${device}'s address ${address} (${source}).`,
  overlayUnknown: ({ node, device, gap, standIn }: { node: string; device: string; gap: string; standIn: string }) =>
    `Towards a pod on another node the packet leaves ${node} by ${device}, whose address NAT Lens cannot derive: ${gap}. That pod sees ${device}'s address; the walk shows ${node}'s own address ${standIn} in its place.`,
  overlaySourcePodSubnet: ({ node, podCIDR }: { node: string; podCIDR: string }) => `the first address of ${node}'s pod CIDR ${podCIDR}, which flannel gives the device`,
  overlaySourcePublished: ({ key }: { key: string }) => `from ${key}`,
  overlaySourceBlock: ({ node, block }: { node: string; block: string }) =>
    `assumed: the first address of the IPAMBlock ${block} affine to ${node}, from which Calico IPAM gives the tunnel address`,
  overlayGapNoPodCIDR: ({ node }: { node: string }) => `${node} has no pod CIDR in the input`,
  overlayGapNotPublished: ({ wanted }: { wanted: readonly string[] }) => `neither ${wanted.join(' nor ')} is in the input`,
  overlayGapSubnet: ({ node, other, setting }: { node: string; other: string; setting: string }) =>
    `with ${setting} only traffic between nodes on different subnets is encapsulated, and whether ${node} and ${other} share one is not in the input (the projectcalico.org/IPv4Address annotations of their Node objects)`,
  overlayGapBackend: ({ backend }: { backend: string }) => `NAT Lens does not model flannel's ${backend} backend`,
  overlayGapIPv6: () => 'NAT Lens models the IPv4 side of the overlay only, and this profile is IPv6',
  overlayAddressUnknown: ({ node, device }: { node: string; device: string }) => `${node}'s ${device} address (not in the input)`,
};
