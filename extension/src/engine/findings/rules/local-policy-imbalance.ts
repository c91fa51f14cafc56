// externalTrafficPolicy Local where some nodes have no (or fewer) ready endpoints, stated from the
// Service's facts; how loudly depends on what the files prove.
import { localPolicyFacts, localPolicyMessage } from '../../facts/diagnostics';
import { externallyAccessible } from '../../model/service';
import { externalPolicyRange } from './context';
import type { FindingSeverity, ServiceNatRule } from './types';

export const localPolicyImbalance: ServiceNatRule<'local-policy-imbalance'> = {
  id: 'local-policy-imbalance',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'externalTrafficPolicy Local with nodes that have no endpoint',
    severity: 'warning',
    category: 'nat',
    docs: `With \`externalTrafficPolicy: Local\`, each node sends external traffic only to its
own ready endpoints, keeping the client IP. What a node without one does depends on the mode, and the
message quotes the walks: iptables and nftables mode DROP the connection (filter
\`KUBE-EXTERNAL-SERVICES\` "has no local endpoints", nftables \`nodeport-endpoints-check\`), so the
client times out; IPVS mode falls back to the other nodes' endpoints (kubernetes/kubernetes#97081)
without SNAT, and the reply cannot come back through the node, so the connection fails all the same.
Nodes with fewer endpoints load each of them more. A warning only where the files prove a problem: the
Service's endpoints are in the files and it is not a LoadBalancer. A LoadBalancer's health check node
port answers 503 on the nodes without an endpoint, so a load balancer that honours it skips them: with
fewer replicas than nodes (an ingress controller, say) that is the intended design, and the finding
is information that says what happens to clients that connect to those nodes directly. Without
endpoints in the files (the workload is in another file, or an operator creates it) it is information
too. Fix (trade-off): \`externalTrafficPolicy: Cluster\`.`,
  },
  check({ obj, entry, defaulted, facts, setPolicy, m }) {
    if (entry.ports.length === 0 || !externallyAccessible(obj.object) || defaulted.externalTrafficPolicy !== 'Local') return [];
    const all = facts();
    const local = localPolicyFacts(all);
    if (local.blocked.length + local.lost.length + local.serving.length === 0) return [];
    if (local.blocked.length === 0 && local.lost.length === 0 && !local.uneven) return [];
    const knownEndpoints = entry.ports.some(p => p.endpoints.length > 0);
    const loadBalancer = defaulted.type === 'LoadBalancer';
    // a cloud load balancer health-checks healthCheckNodePort and skips the nodes without a local endpoint
    const severity: FindingSeverity | undefined = knownEndpoints && !loadBalancer ? undefined : 'information';
    return [{
      range: externalPolicyRange(obj),
      ...(severity ? { severity } : {}),
      message: localPolicyMessage(all, local, knownEndpoints, loadBalancer ? all.port!.healthCheckNodePort : null, m),
      fixes: setPolicy('Cluster', m.fixBalanceAllNodes(), false),
    }];
  },
};
