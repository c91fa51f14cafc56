// The API server's check that externalTrafficPolicy is only set where traffic comes from outside.
import { externallyAccessible } from '../../model/service';
import { goValue } from './context';
import type { ServiceApiRule } from './types';

export const etpNotExternal: ServiceApiRule<'etp-not-external'> = {
  id: 'etp-not-external',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'externalTrafficPolicy on a Service that is not externally reachable',
    severity: 'error',
    category: 'api',
    docs: `\`externalTrafficPolicy\` is set on a Service that is not externally reachable:
neither NodePort nor LoadBalancer, and a ClusterIP without \`externalIPs\`.
\`spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services\`.
Fix: remove the field (preferred), or change the type to NodePort.`,
  },
  check({ spec, obj, at, remove, setType, m }) {
    if (spec.externalTrafficPolicy === undefined || externallyAccessible(obj.object)) return [];
    return [{
      range: at(['spec', 'externalTrafficPolicy']),
      message: m.ruleEtpNotExternal({ value: goValue(spec.externalTrafficPolicy) }),
      fixes: [...remove(m.fixRemoveEtp(), ['spec', 'externalTrafficPolicy']), ...setType('NodePort')],
    }];
  },
};
