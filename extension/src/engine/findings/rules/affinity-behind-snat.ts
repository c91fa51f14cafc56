// ClientIP affinity is recorded per node and per source address.
import { externallyAccessible } from '../../model/service';
import type { ServiceNatRule } from './types';

export const affinityBehindSnat: ServiceNatRule<'affinity-behind-snat'> = {
  id: 'affinity-behind-snat',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'Session affinity is per node and per source address',
    severity: 'information',
    category: 'nat',
    docs: `\`sessionAffinity: ClientIP\` is recorded per node and keyed on the source address
only: clients behind one NAT or proxy address all stick to one endpoint, and with
\`externalTrafficPolicy: Cluster\` a client that a load balancer spreads over several nodes can stick to
a different endpoint on each.`,
  },
  check({ obj, entry, defaulted, at, m }) {
    if (entry.ports.length === 0 || !externallyAccessible(obj.object)) return [];
    if (defaulted.sessionAffinity !== 'ClientIP' || defaulted.externalTrafficPolicy === 'Local') return [];
    return [{
      range: at(['spec', 'sessionAffinity']),
      message: m.ruleAffinityBehindSnat(),
      fixes: [],
    }];
  },
};
