// sessionAffinityConfig.clientIP.timeoutSeconds in (0, 86400].
import { replaceValue } from '../edits';
import type { ServiceApiRule } from './types';

const SESSION_AFFINITY_MAX = 86400;

export const affinityTimeoutRange: ServiceApiRule<'affinity-timeout-range'> = {
  id: 'affinity-timeout-range',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'Session affinity timeout out of range',
    severity: 'error',
    category: 'api',
    docs: `\`sessionAffinityConfig.clientIP.timeoutSeconds\` must be greater than 0 and at most
86400. Fix: the default, 10800.`,
  },
  check({ obj, spec, defaulted, at, m }) {
    const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (defaulted.sessionAffinity !== 'ClientIP' || timeout === undefined || (timeout > 0 && timeout <= SESSION_AFFINITY_MAX)) return [];
    const path = ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'];
    const e = replaceValue(obj, path, '10800');
    return [{
      range: at(path),
      message: m.ruleAffinityTimeout({ timeout, max: SESSION_AFFINITY_MAX }),
      fixes: e ? [{ title: m.fixAffinityDefault(), edits: [e], preferred: true, kind: 'quickfix' }] : [],
    }];
  },
};
