// Traffic policies are Cluster or Local, case-sensitive (validateServiceSpec).
import { replaceValue } from '../edits';
import { goValue } from './context';
import type { Report, ServiceApiRule } from './types';

export const policyValue: ServiceApiRule<'policy-value'> = {
  id: 'policy-value',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'Unsupported traffic policy value',
    severity: 'error',
    category: 'api',
    docs: `\`externalTrafficPolicy\` or \`internalTrafficPolicy\` is neither \`Cluster\` nor \`Local\`
(values are case-sensitive). Fix: the closest valid value.`,
  },
  check({ spec, obj, at, m }) {
    const out: Report[] = [];
    for (const field of ['externalTrafficPolicy', 'internalTrafficPolicy'] as const) {
      const value = spec[field];
      if (value === undefined || value === 'Cluster' || value === 'Local') continue;
      const close = String(value).toLowerCase().startsWith('l') ? 'Local' : 'Cluster';
      const e = replaceValue(obj, ['spec', field], close);
      out.push({
        range: at(['spec', field]),
        message: m.rulePolicyValue({ field, value: goValue(value) }),
        fixes: e ? [{ title: m.fixUseValue({ value: close }), edits: [e], preferred: true, kind: 'quickfix' }] : [],
      });
    }
    return out;
  },
};
