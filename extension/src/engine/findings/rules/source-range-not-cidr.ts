// Each loadBalancerSourceRanges entry must be a CIDR (the API server names the whole list).
import { parseCIDR } from '../../util/ip';
import type { Report, ServiceApiRule } from './types';

export const sourceRangeNotCidr: ServiceApiRule<'source-range-not-cidr'> = {
  id: 'source-range-not-cidr',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'loadBalancerSourceRanges entry is not a CIDR',
    severity: 'error',
    category: 'api',
    docs: `An entry of \`loadBalancerSourceRanges\` is not a CIDR (\`203.0.113.7\` must be written
\`203.0.113.7/32\`).`,
  },
  check({ spec, defaulted, at, m }) {
    const ranges = spec.loadBalancerSourceRanges;
    if (!ranges?.length || defaulted.type !== 'LoadBalancer') return [];
    const out: Report[] = [];
    ranges.forEach((r, i) => {
      if (parseCIDR(String(r).trim()) === null) out.push({
        range: at(['spec', 'loadBalancerSourceRanges', i]),
        message: m.ruleSourceRangeNotCidr({ ranges: ranges.map(String) }),
        fixes: [],
      });
    });
    return out;
  },
};
