// loadBalancerSourceRanges only on a LoadBalancer.
import type { ServiceApiRule } from './types';

export const sourceRangesNotLoadBalancer: ServiceApiRule<'source-ranges-not-load-balancer'> = {
  id: 'source-ranges-not-load-balancer',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'loadBalancerSourceRanges on a Service that is not a LoadBalancer',
    severity: 'error',
    category: 'api',
    docs: `\`loadBalancerSourceRanges\` only exists for \`type: LoadBalancer\`. Note that even there
kube-proxy applies it to the load-balancer IP only, never to the node port.`,
  },
  check({ spec, defaulted, at, remove, setType, m }) {
    if (!spec.loadBalancerSourceRanges?.length || defaulted.type === 'LoadBalancer') return [];
    return [{
      range: at(['spec', 'loadBalancerSourceRanges'], 'key'),
      message: m.ruleSourceRangesNotLoadBalancer(),
      fixes: [...remove(m.fixRemoveField({ field: 'loadBalancerSourceRanges' }), ['spec', 'loadBalancerSourceRanges'], false), ...setType('LoadBalancer')],
    }];
  },
};
