// Sentences over the pod network (egress/podNetwork.ts): the walk's line about the overlay device a
// masqueraded packet left by, and the Service hover's paragraph on the pod network.
import type { AddressGap, AddressSource, OverlayDevice, PodNetwork } from '../egress/podNetwork';
import { english, type Messages } from '../i18n';

const CNI_NAMES: Readonly<Record<PodNetwork['cni'], string>> = {
  calico: 'Calico', cilium: 'Cilium', flannel: 'flannel', 'aws-vpc-cni': 'AWS VPC CNI', 'ip-masq-agent': 'ip-masq-agent', none: 'no CNI',
};

function sourceText(node: string, s: AddressSource, m: Messages): string {
  switch (s.kind) {
    case 'pod-subnet': return m.overlaySourcePodSubnet({ node, podCIDR: s.podCIDR });
    case 'published': return m.overlaySourcePublished({ key: s.key });
    case 'ipam-block': return m.overlaySourceBlock({ node, block: s.block });
  }
}

function gapText(node: string, g: AddressGap, m: Messages): string {
  switch (g.kind) {
    case 'no-pod-cidr': return m.overlayGapNoPodCIDR({ node });
    case 'not-published': return m.overlayGapNotPublished({ wanted: g.wanted });
    case 'subnet-unknown': return m.overlayGapSubnet({ node, other: g.other, setting: g.setting });
    case 'backend-not-modelled': return m.overlayGapBackend({ backend: g.backend });
    case 'family-not-modelled': return m.overlayGapIPv6();
  }
}

/** The walk's sentence: the device the packet left by and its address, or why the address is unknown. */
export function overlaySentence(d: OverlayDevice, standIn: string, m: Messages = english): string {
  return d.address !== null
    ? m.overlayKnown({ node: d.node, device: d.device, address: d.address, source: sourceText(d.node, d.source, m) })
    : m.overlayUnknown({ node: d.node, device: d.device, gap: gapText(d.node, d.gap, m), standIn });
}

/** What an endpoint behind an overlay device sees, where the device's address is not in the input. */
export function unknownOverlayAddress(d: OverlayDevice, m: Messages = english): string | null {
  return d.address === null ? m.overlayAddressUnknown({ node: d.node, device: d.device }) : null;
}

/** The Service hover's paragraph: the pod network, what decided it, and each node's device and address. */
export function podNetworkParagraph(net: PodNetwork, m: Messages = english): string {
  const setting = net.decidedBy ? `${net.decidedBy.key}: ${String(net.decidedBy.value)}${net.decidedBy.origin === 'default' ? ' (default)' : ''}` : null;
  const devices = net.devices.map(d => d.address !== null
    ? m.podNetworkDevice({ node: d.node, device: d.device, address: `${d.address}, ${sourceText(d.node, d.source, m)}` })
    : m.podNetworkDevice({ node: d.node, device: d.device, address: `?, ${gapText(d.node, d.gap, m)}` }));
  return m.podNetworkHover({ network: m.podNetworkMode({ cni: CNI_NAMES[net.cni], mode: net.mode }), setting, devices });
}
