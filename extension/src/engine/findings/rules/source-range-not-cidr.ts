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
  check({ spec, defaulted, at }) {
    const ranges = spec.loadBalancerSourceRanges;
    if (!ranges?.length || defaulted.type !== 'LoadBalancer') return [];
    const out: Report[] = [];
    ranges.forEach((r, i) => {
      if (parseCIDR(String(r).trim()) === null) out.push({
        range: at(['spec', 'loadBalancerSourceRanges', i]),
        message: `spec.LoadBalancerSourceRanges: Invalid value: "[${ranges.join(' ')}]": must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24`,
        fixes: [],
      });
    });
    return out;
  },
};
