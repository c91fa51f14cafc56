// Die Sätze zum Pod-Netz (egress/podNetwork.ts, gerendert in facts/podNetwork.ts): über welches Device
// das MASQUERADE zu einem Pod auf einem anderen Node geht und woher dessen Adresse kommt.
import type { enPodNetwork } from './podNetwork.en';

export const dePodNetwork: typeof enPodNetwork = {
  podNetworkMode: ({ cni, mode }) =>
    `${cni} ${mode === 'vxlan' ? 'VXLAN' : mode === 'ipip' ? 'IPIP' : mode === 'wireguard' ? 'WireGuard' : mode === 'tunnel' ? 'im Tunnel-Modus' : mode === 'routed' ? 'geroutet (kein Overlay)' : 'mit einem Backend, das NAT Lens nicht modelliert'}`,
  podNetworkHover: ({ network, setting, devices }) =>
    `Pod-Netz: ${network}${setting ? ` (${setting})` : ''}. ` + (devices.length
      ? `Das MASQUERADE von kube-proxy zu einem Pod auf einem anderen Node nimmt die Adresse des Devices, über das das Paket den Node verlässt: ${devices.join('; ')}.`
      : 'Das MASQUERADE von kube-proxy zu einem Pod auf einem anderen Node nimmt die Adresse des Nodes.'),
  podNetworkDevice: ({ node, device, address }) => `${node} ${device} ${address}`,
  overlayKnown: ({ node, device, address, source }) =>
    `Zu einem Pod auf einem anderen Node verlässt das Paket ${node} über ${device}, also gibt MASQUERADE ihm die Adresse von ${device}, ${address} (${source}).`,
  overlayUnknown: ({ node, device, gap, standIn }) =>
    `Zu einem Pod auf einem anderen Node verlässt das Paket ${node} über ${device}, dessen Adresse NAT Lens nicht ableiten kann: ${gap}. Dieser Pod sieht die Adresse von ${device}; der Walk zeigt an ihrer Stelle die Adresse von ${node} selbst, ${standIn}.`,
  overlaySourcePodSubnet: ({ node, podCIDR }) => `die erste Adresse des Pod-CIDR ${podCIDR} von ${node}, die flannel dem Device gibt`,
  overlaySourcePublished: ({ key }) => `aus ${key}`,
  overlaySourceBlock: ({ node, block }) =>
    `angenommen: die erste Adresse des IPAMBlock ${block} mit Affinität zu ${node}, aus dem Calico-IPAM die Tunnel-Adresse vergibt`,
  overlayGapNoPodCIDR: ({ node }) => `${node} hat in der Eingabe kein Pod-CIDR`,
  overlayGapNotPublished: ({ wanted }) => `weder ${wanted.join(' noch ')} ist in der Eingabe`,
  overlayGapSubnet: ({ node, other, setting }) =>
    `mit ${setting} wird nur Verkehr zwischen Nodes in verschiedenen Subnetzen gekapselt, und ob ${node} und ${other} in einem liegen, steht nicht in der Eingabe (die Annotationen projectcalico.org/IPv4Address ihrer Node-Objekte)`,
  overlayGapBackend: ({ backend }) => `NAT Lens modelliert das flannel-Backend ${backend} nicht`,
  overlayGapIPv6: () => 'NAT Lens modelliert nur die IPv4-Seite des Overlays, und dieses Profil ist IPv6',
  overlayAddressUnknown: ({ node, device }) => `die ${device}-Adresse von ${node} (nicht in der Eingabe)`,
};
