// externalTrafficPolicy Local where some nodes have no (or fewer) ready endpoints, from the walks.
import { externallyAccessible } from '../../model/service';
import { externalPolicyRange } from './context';
import type { ServiceNatRule } from './types';

export const localPolicyImbalance: ServiceNatRule<'local-policy-imbalance'> = {
  id: 'local-policy-imbalance',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'externalTrafficPolicy Local with nodes that have no endpoint',
    severity: 'warning',
    category: 'nat',
    docs: `With \`externalTrafficPolicy: Local\`, each node sends external traffic only to its
own ready endpoints. Nodes without one DROP it (filter \`KUBE-EXTERNAL-SERVICES\`, "has no local
endpoints"), and nodes with fewer endpoints load each of them more. A cloud load balancer that uses the
health-check node port avoids the dropping nodes; clients that pick nodes themselves do not. In IPVS
mode a node without a local endpoint does not drop: kube-proxy falls back to the other nodes'
endpoints (kubernetes/kubernetes#97081) without SNAT, and the walk shows the reply cannot come back
through the node, so the connection fails all the same; the message says so. Fix (trade-off):
\`externalTrafficPolicy: Cluster\`. A warning only where the files prove it: the Service's endpoints
are in the files and it is not a LoadBalancer. A LoadBalancer's health checks skip the nodes without an
endpoint (a single-replica ingress controller behind one is the intended design), and without
endpoints in the files (the workload is in another file, or an operator creates it) nothing is shown;
both are information.`,
  },
  check({ obj, entry, defaulted, externalWalks, setPolicy }) {
    if (entry.ports.length === 0 || !externallyAccessible(obj.object) || defaulted.externalTrafficPolicy !== 'Local') return [];
    const walks = externalWalks();
    if (walks.length === 0) return [];
    const dropping = walks.filter(w => w.result.verdict === 'DROP' || w.result.verdict === 'REJECT');
    // IPVS mode: no local endpoint falls back to the other nodes' endpoints, unmasqueraded, and the walk
    // finds the reply cannot come back through the node that translated it
    const unanswered = walks.filter(w => w.result.verdict === 'DNAT' && w.result.outcomes.every(o => o.verdict !== 'DNAT' || o.replyBroken));
    const serving = walks.filter(w => w.result.verdict === 'DNAT' && !unanswered.includes(w));
    const counts = serving.map(w => `${w.node}: ${w.result.endpoints.length}`);
    const uneven = new Set(serving.map(w => w.result.endpoints.length)).size > 1;
    if (dropping.length === 0 && unanswered.length === 0 && !uneven) return [];
    const nodes = (ws: typeof walks) => `${ws.map(w => w.node).join(', ')} ${ws.length === 1 ? 'has' : 'have'} none`;
    const knownEndpoints = entry.ports.some(p => p.endpoints.length > 0);
    // a cloud load balancer health-checks healthCheckNodePort and skips nodes without a local endpoint
    const proven = knownEndpoints && defaulted.type !== 'LoadBalancer';
    return [{
      range: externalPolicyRange(obj),
      ...(proven ? {} : { severity: 'information' as const }),
      message: `externalTrafficPolicy Local: each node sends external traffic only to its own ready endpoints. ` +
        (dropping.length ? `${nodes(dropping)} and ${dropping.length === 1 ? 'drops' : 'drop'} connections (${dropping[0]!.result.verdict} in ${dropping[0]!.result.outcomes[0]?.hops.at(-1)?.chain}); ` : '') +
        (unanswered.length ? `${nodes(unanswered)}: IPVS mode then sends the connection to another node's endpoint without SNAT (kubernetes/kubernetes#97081), whose reply does not come back through ${unanswered.map(w => w.node).join(', ')}, so the connection fails; ` : '') +
        (serving.length ? `endpoints per node: ${counts.join(', ')}${uneven ? ', so a node with fewer endpoints loads each of them more' : ''}.`
          : knownEndpoints ? 'no node has a local endpoint.'
          : 'no workload or EndpointSlice in the files given backs this Service, so no node has a local endpoint here (pods defined elsewhere or created by an operator would not appear).') +
        (defaulted.type === 'LoadBalancer' ? ' A cloud load balancer that honours the health check node port skips the nodes without endpoints.' : ''),
      fixes: setPolicy('Cluster', 'Balance across all nodes: set externalTrafficPolicy: Cluster (client IP is lost to SNAT)', false),
    }];
  },
};
