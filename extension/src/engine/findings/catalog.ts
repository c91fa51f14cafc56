// The diagnostics catalog: one stable id per rule, documented in docs/diagnostics.md#<id>.
export type FindingSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface RuleInfo {
  readonly id: string;
  readonly title: string;
  readonly severity: FindingSeverity;
  /** api: the API server would reject the object; nat: what kube-proxy's NAT does to it. */
  readonly category: 'api' | 'nat';
}

export const RULES = {
  'etp-not-external': { title: 'externalTrafficPolicy on a Service that is not externally reachable', severity: 'error', category: 'api' },
  'policy-value': { title: 'Unsupported traffic policy value', severity: 'error', category: 'api' },
  'health-check-node-port-invalid': { title: 'healthCheckNodePort without type LoadBalancer and externalTrafficPolicy Local', severity: 'error', category: 'api' },
  'node-port-on-cluster-ip': { title: 'nodePort on a ClusterIP Service', severity: 'error', category: 'api' },
  'node-port-range': { title: 'nodePort outside the node port range', severity: 'error', category: 'api' },
  'node-port-duplicate': { title: 'The same nodePort twice for one protocol', severity: 'error', category: 'api' },
  'port-name-required': { title: 'Unnamed port in a Service with several ports', severity: 'error', category: 'api' },
  'port-name-duplicate': { title: 'Duplicate port name', severity: 'error', category: 'api' },
  'affinity-timeout-range': { title: 'Session affinity timeout out of range', severity: 'error', category: 'api' },
  'source-ranges-not-load-balancer': { title: 'loadBalancerSourceRanges on a Service that is not a LoadBalancer', severity: 'error', category: 'api' },
  'source-range-not-cidr': { title: 'loadBalancerSourceRanges entry is not a CIDR', severity: 'error', category: 'api' },
  'headless-external': { title: 'Headless Service of type NodePort or LoadBalancer', severity: 'error', category: 'api' },
  'client-ip-lost': { title: 'External traffic is masqueraded: the pod does not see the client IP', severity: 'information', category: 'nat' },
  'local-policy-imbalance': { title: 'externalTrafficPolicy Local with nodes that have no endpoint', severity: 'warning', category: 'nat' },
  'internal-local-dropped': { title: 'internalTrafficPolicy Local with nodes that have no endpoint', severity: 'warning', category: 'nat' },
  'selector-matches-nothing': { title: 'No workload matches the selector', severity: 'warning', category: 'nat' },
  'target-port-not-exposed': { title: 'targetPort that no selected container exposes', severity: 'warning', category: 'nat' },
  'external-ips-risk': { title: 'externalIPs can intercept other traffic (CVE-2020-8554)', severity: 'warning', category: 'nat' },
  'affinity-behind-snat': { title: 'Session affinity is per node and per source address', severity: 'information', category: 'nat' },
  'policy-ip-block-behind-snat': { title: 'NetworkPolicy ipBlock for clients whose address kube-proxy masquerades', severity: 'warning', category: 'nat' },
  'policy-egress-ip-block-snat': { title: 'NetworkPolicy egress ipBlock towards a range the CNI reaches with the node address', severity: 'information', category: 'nat' },
  'exposed-admin-port': { title: 'A database or admin port open to every source address', severity: 'information', category: 'nat' },
  'duplicate-object': { title: 'The same object in several files: modelled once', severity: 'information', category: 'nat' },
  'ip-family-not-served': { title: 'A Service of an IP family the profile does not have', severity: 'information', category: 'nat' },
} as const satisfies Record<string, Omit<RuleInfo, 'id'>>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function ruleInfo(id: RuleId): RuleInfo {
  return { id, ...RULES[id] };
}

/** Where a rule is documented, inside the NAT Lens package (the project has no public web page to link to). */
export function docsSection(id: RuleId): string {
  return `docs/diagnostics.md#${id}`;
}
