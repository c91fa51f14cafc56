// internalTrafficPolicy Local: clients on nodes without an endpoint, stated from the Service's facts.
import { internalLocalMessage } from '../../facts/diagnostics';
import type { ServiceNatRule } from './types';

export const internalLocalDropped: ServiceNatRule<'internal-local-dropped'> = {
  id: 'internal-local-dropped',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'internalTrafficPolicy Local with nodes that have no endpoint',
    severity: 'warning',
    category: 'nat',
    docs: `With \`internalTrafficPolicy: Local\`, a client reaches the ClusterIP only when its own
node runs an endpoint; on other nodes kube-proxy DROPs the connection (no fallback to other nodes). In
IPVS mode the virtual server has no real server there and the connection is refused (REJECT). The
message quotes the walks from each node; where a walk reaches another node's endpoint instead, it says
so, as information.`,
  },
  check({ spec, entry, facts, at, m }) {
    if (spec.internalTrafficPolicy !== 'Local' || entry.ports.length === 0) return [];
    const found = internalLocalMessage(facts(), m);
    return found ? [{ range: at(['spec', 'internalTrafficPolicy']), message: found.message, fixes: [], ...(found.blocked ? {} : { severity: 'information' as const }) }] : [];
  },
};
