// What a user can trace (walk/choices.ts): the sources and the ways in, as the preview's selects and
// the Trace Packet quick picks list them.

export const choicesEn = {
  choiceExternal: ({ ip }: { ip: string }) => `External client ${ip}`,
  choiceExternalDetail: () => 'a client outside the cluster',
  choicePod: ({ node, ip }: { node: string; ip: string }) => `A pod on ${node} (${ip})`,
  choicePodDetail: () => 'another workload in the cluster',
  choiceNode: ({ node, ip }: { node: string; ip: string }) => `Node ${node} itself (${ip})`,
  choiceNodeDetail: () => 'host network: the kubelet, a hostNetwork pod',
  choiceSelf: ({ ip, node }: { ip: string; node: string }) => `Endpoint ${ip} on ${node} reaching its own Service`,
  choiceSelfDetail: () => 'hairpin',
  choiceClusterIP: ({ address }: { address: string }) => `ClusterIP ${address}`,
  choiceClusterIPDetail: () => 'the Service address inside the cluster',
  choiceNodePort: ({ port, node, ip }: { port: number; node: string; ip: string }) => `NodePort ${port} on ${node} (${ip})`,
  choiceNodePortDetail: () => 'what an external load balancer or client sends to a node',
  choiceLoadBalancer: ({ address, node }: { address: string; node: string }) => `LoadBalancer IP ${address}, arriving at ${node}`,
  choiceLoadBalancerDetail: () => 'a VIP-style load balancer keeps the destination',
  choiceEgress: ({ address }: { address: string }) => `A destination outside the cluster (${address})`,
  choiceEgressDetail: () => 'pod egress: the CNI\'s masquerade settings decide the source',
  choiceExternalIP: ({ address, node }: { address: string; node: string }) => `External IP ${address}, routed to ${node}`,
};
