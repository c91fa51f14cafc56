// The diagnostic rules' messages and quick-fix titles (findings/rules/*, findings/policy.ts), rendered
// from what each check found. The API rules quote the API server's own field errors (Go's field.Error
// text), so the English is the text kubectl shows; the German says the same in German.

/** A well-known server behind a port (exposed-admin-port): a product, or an API of one ("the Kong Admin API"). */
export interface AdminServer {
  readonly name: string;
  readonly api: boolean;
}

const goList = (values: readonly string[]) => values.join(', ');

export const rulesEn = {
  // fixes several rules offer (findings/rules/context.ts)
  fixChangeType: ({ type }: { type: string }) => `Change type to ${type}`,

  // API server field errors
  ruleEtpNotExternal: ({ value }: { value: string }) => `spec.externalTrafficPolicy: Invalid value: ${value}: may only be set for externally-accessible services`,
  fixRemoveEtp: () => 'Remove externalTrafficPolicy (it only applies to NodePort, LoadBalancer and externalIPs)',
  rulePolicyValue: ({ field, value }: { field: string; value: string }) => `spec.${field}: Unsupported value: ${value}: supported values: "Cluster", "Local"`,
  fixUseValue: ({ value }: { value: string }) => `Use ${value}`,
  ruleHealthCheckNodePort: ({ value }: { value: string }) =>
    `spec.healthCheckNodePort: Invalid value: ${value}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`,
  fixRemoveField: ({ field }: { field: string }) => `Remove ${field}`,
  ruleNodePortOnClusterIp: ({ i }: { i: number }) => `spec.ports[${i}].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`,
  ruleNodePortRange: ({ i, nodePort, min, max }: { i: number; nodePort: number; min: number; max: number }) =>
    `spec.ports[${i}].nodePort: Invalid value: ${nodePort}: provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
  ruleNodePortDuplicate: ({ i, nodePort }: { i: number; nodePort: number }) => `spec.ports[${i}].nodePort: Duplicate value: ${nodePort}`,
  rulePortNameRequired: ({ i }: { i: number }) => `spec.ports[${i}].name: Required value`,
  fixNamePort: ({ name }: { name: string }) => `Name the port ${name}`,
  rulePortNameDuplicate: ({ i, name }: { i: number; name: string }) => `spec.ports[${i}].name: Duplicate value: ${name}`,
  ruleAffinityTimeout: ({ timeout, max }: { timeout: number; max: number }) =>
    `spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: ${timeout}: must be greater than 0 and less than ${max}`,
  fixAffinityDefault: () => 'Use the default, 10800 (3 hours)',
  ruleSourceRangesNotLoadBalancer: () => "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
  ruleSourceRangeNotCidr: ({ ranges }: { ranges: readonly string[] }) =>
    `spec.LoadBalancerSourceRanges: Invalid value: "[${ranges.join(' ')}]": must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24`,
  ruleHeadlessExternal: ({ type }: { type: string }) => `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for ${type} services`,

  // what kube-proxy does (nat rules)
  ruleAffinityBehindSnat: () =>
    'Session affinity is kept per node and per source address: a client that a load balancer sends through several nodes can stick to a different endpoint on each, and every client behind one NAT or proxy address sticks to the same endpoint.',
  ruleTargetPortNamed: ({ workload, name, protocol }: { workload: string; name: string; protocol: string }) =>
    `No container of ${workload} has a port named ${JSON.stringify(name)} (${protocol}): its pods are left out of the Service's endpoints.`,
  ruleTargetPortNumeric: ({ workload, declared, port, protocol }: { workload: string; declared: readonly string[]; port: number; protocol: string }) =>
    `${workload} declares container ports ${goList(declared)} but not ${port}/${protocol}. ` +
    `Kubernetes does not require a containerPort for a numeric targetPort: connections are DNATed to port ${port} of its pods, which works if the container listens there (its command or configuration decides, which NAT Lens cannot see) and is refused otherwise.`,
  fixTargetPort: ({ replacement, workload }: { replacement: string; workload: string }) => `Use ${replacement}, the port ${workload} exposes`,
  ruleExternalIps: ({ addresses }: { addresses: readonly string[] }) =>
    `kube-proxy captures ${goList(addresses)} on every node, for pods and nodes too: whoever may set externalIPs can intercept traffic to any address (CVE-2020-8554). Clusters often block the field with an admission policy.`,
  ruleExposedAdminPort: ({ port, server, type, nodePort }: { port: number; server: AdminServer; type: 'LoadBalancer' | 'NodePort'; nodePort: number | null }) => {
    const np = nodePort ? `node port ${nodePort}` : 'its node port';
    const where = type === 'LoadBalancer' ? `the load balancer's address and on ${np} of every node` : `${np} of every node`;
    return `Port ${port} is ${server.api ? 'the ' : ''}${server.name}, and this ${type} Service accepts it from every source address on ${where}: ` +
      `nothing in the Service limits who connects${type === 'LoadBalancer' ? ' (no loadBalancerSourceRanges)' : ''}. NAT Lens cannot see firewalls or security groups in front of the cluster.`;
  },
  fixSourceRanges: ({ placeholder }: { placeholder: string }) => `Accept only some sources: add loadBalancerSourceRanges (replace ${placeholder} with your clients' ranges)`,
  ruleIpFamilyNotServed: ({ families, profile }: { families: readonly string[]; profile: string }) =>
    `The Service is ${families.join(' and ')} only; the cluster profile is ${profile}, whose kube-proxy skips it: NAT Lens shows no rules or walks for it. ` +
    `To see them, check it with a profile that says ipFamily: ${families[0]}.`,
  ruleDuplicateObject: ({ objects, where }: { objects: readonly string[]; where: { kind: 'same-file'; line: number } | { kind: 'file'; file: string } | { kind: 'files'; n: number; first: string } }) => {
    const listed = objects.length <= 3 ? objects.join(', ') : `${objects.slice(0, 2).join(', ')} and ${objects.length - 2} more`;
    const at = where.kind === 'same-file' ? `earlier in this file (line ${where.line})` : where.kind === 'file' ? `in ${where.file}` : `in ${where.n} other files (first ${where.first})`;
    return `${objects.length === 1 ? `${listed} is` : `${objects.length} objects (${listed}) are`} also defined ${at}: ` +
      'NAT Lens models each once, from its first definition, and reports its findings there; the copies here are not analysed for NAT.';
  },

  // NetworkPolicy meets SNAT (findings/policy.ts)
  policySeenEntering: ({ address, node }: { address: string; node: string }) => `${address} (entering ${node})`,
  policyIngressNoMatch: ({ cidr, via, seen }: { cidr: string; via: string; seen: readonly string[] }) =>
    `External clients in ${cidr} reach these pods through ${via}, whose external traffic is masqueraded: the pods see ${seen.join(', ')}, never an address in ${cidr}. This ipBlock does not match that traffic, so the policy blocks it.`,
  policyIngressMatchesAll: ({ cidr, via, matching }: { cidr: string; via: string; matching: readonly string[] }) =>
    `External clients reach these pods through ${via}, whose external traffic is masqueraded to node addresses, and ${matching.join(', ')} ${matching.length === 1 ? 'is' : 'are'} inside ${cidr}: this ipBlock lets every client through, whatever its own address.`,
  policyBehindSnatCni: ({ cni, matching }: { cni: 'calico' | 'cilium' | null; matching: boolean }) =>
    cni === 'calico'
      ? 'With Calico\'s iptables dataplane the ingress policy is checked in FORWARD, before POSTROUTING MASQUERADE, so a pod on the node a client enters sees the client there; these are the pods on other nodes, which receive the connection already SNATed.'
      : cni === 'cilium'
        ? `Cilium's ipBlock never matches node or cluster-internal addresses (they carry the host or remote-node identity)${matching ? ', so the node addresses inside this block do not let these clients through either' : ''}.`
        : 'Whether the ipBlock sees the client or the SNAT address depends on the CNI, which NAT Lens does not know (NetworkPolicy leaves the order of SNAT and policy open): Calico\'s iptables dataplane checks it before POSTROUTING MASQUERADE, so on the entry node it sees the client; Cilium\'s ipBlock never matches node addresses. Name the CNI (profile `cni`, or its objects in the workspace) to make this certain.',
  fixPolicyLocal: ({ service }: { service: string }) => `Keep the client address: set externalTrafficPolicy: Local on ${service} (only nodes with a ready local endpoint answer)`,
  policySeenFromPods: ({ address, node }: { address: string; node: string }) => `${address} (pods on ${node})`,
  policyEgressSnat: ({ cidr, reason, destination, seen }: { cidr: string; reason: string; destination: string; seen: readonly string[] }) =>
    `The pods this policy selects leave for ${cidr} with a node's address, not their own: ${reason.replace(/\.?$/, '.')} ` +
    `A connection to ${destination} arrives from ${seen.join(', ')}. This rule does let the pods out (the policy checks their packets before the CNI rewrites them), ` +
    `but a firewall or allowlist at ${cidr} has to admit the node addresses, and then it admits every pod on those nodes.`,
  fixCalicoPool: ({ cidr, file }: { cidr: string; file: string }) =>
    `Exempt ${cidr} from natOutgoing with a disabled Calico IPPool in ${file} (the destination then sees pod addresses and must route the pod CIDR back to the nodes)`,
  fixIpMasqAgent: ({ cidr }: { cidr: string }) =>
    `Exempt ${cidr} from masquerade in ip-masq-agent's nonMasqueradeCIDRs (the destination then sees pod addresses and must route the pod CIDR back to the nodes)`,
};
