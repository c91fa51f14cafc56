// healthCheckNodePort only where kube-proxy serves it: LoadBalancer with externalTrafficPolicy Local.
import { goValue } from './context';
import type { ServiceApiRule } from './types';

export const healthCheckNodePortInvalid: ServiceApiRule<'health-check-node-port-invalid'> = {
  id: 'health-check-node-port-invalid',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'healthCheckNodePort without type LoadBalancer and externalTrafficPolicy Local',
    severity: 'error',
    category: 'api',
    docs: `\`healthCheckNodePort\` is set but the Service is not \`type: LoadBalancer\` with
\`externalTrafficPolicy: Local\`, the only case where kube-proxy serves it. Fix: remove it.`,
  },
  check({ spec, defaulted, at, remove, m }) {
    if (spec.healthCheckNodePort === undefined || spec.healthCheckNodePort === 0) return [];
    if (defaulted.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') return [];
    return [{
      range: at(['spec', 'healthCheckNodePort']),
      message: m.ruleHealthCheckNodePort({ value: goValue(spec.healthCheckNodePort) }),
      fixes: remove(m.fixRemoveField({ field: 'healthCheckNodePort' }), ['spec', 'healthCheckNodePort']),
    }];
  },
};
