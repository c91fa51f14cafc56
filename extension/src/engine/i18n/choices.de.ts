// Was sich verfolgen lässt: die Quellen und die Wege hinein, wie die Auswahllisten der Vorschau und
// die Schnellauswahl von „Trace Packet“ sie zeigen.
import type { choicesEn } from './choices.en';

export const choicesDe: typeof choicesEn = {
  choiceExternal: ({ ip }) => `Externer Client ${ip}`,
  choiceExternalDetail: () => 'ein Client außerhalb des Clusters',
  choicePod: ({ node, ip }) => `Ein Pod auf ${node} (${ip})`,
  choicePodDetail: () => 'ein anderer Workload im Cluster',
  choiceNode: ({ node, ip }) => `Node ${node} selbst (${ip})`,
  choiceNodeDetail: () => 'Host-Netzwerk: das Kubelet, ein Pod mit hostNetwork',
  choiceSelf: ({ ip, node }) => `Endpoint ${ip} auf ${node}, der seinen eigenen Service anspricht`,
  choiceSelfDetail: () => 'Hairpin',
  choiceClusterIP: ({ address }) => `ClusterIP ${address}`,
  choiceClusterIPDetail: () => 'die Adresse des Service im Cluster',
  choiceNodePort: ({ port, node, ip }) => `NodePort ${port} auf ${node} (${ip})`,
  choiceNodePortDetail: () => 'was ein externer Load Balancer oder Client an einen Node schickt',
  choiceLoadBalancer: ({ address, node }) => `LoadBalancer-IP ${address}, Ankunft auf ${node}`,
  choiceLoadBalancerDetail: () => 'ein Load Balancer im VIP-Stil behält das Ziel bei',
  choiceEgress: ({ address }) => `Ein Ziel außerhalb des Clusters (${address})`,
  choiceEgressDetail: () => 'Pod-Egress: Die Masquerade-Einstellungen des CNI bestimmen die Quelle',
  choiceExternalIP: ({ address, node }) => `Externe IP ${address}, geroutet zu ${node}`,
};
