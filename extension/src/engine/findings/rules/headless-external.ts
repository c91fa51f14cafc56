// A headless Service cannot be NodePort or LoadBalancer.
import type { ServiceApiRule } from './types';

export const headlessExternal: ServiceApiRule<'headless-external'> = {
  id: 'headless-external',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'Headless Service of type NodePort or LoadBalancer',
    severity: 'error',
    category: 'api',
    docs: `\`clusterIP: None\` (headless) cannot be combined with NodePort or LoadBalancer. Fix:
change the type to ClusterIP.`,
  },
  check({ spec, defaulted, at, setType, m }) {
    if (!defaulted.headless || (defaulted.type !== 'NodePort' && defaulted.type !== 'LoadBalancer')) return [];
    const path = spec.clusterIPs?.length ? ['spec', 'clusterIPs', 0] : ['spec', 'clusterIP'];
    return [{
      range: at(path),
      message: m.ruleHeadlessExternal({ type: defaulted.type }),
      fixes: setType('ClusterIP'),
    }];
  },
};
