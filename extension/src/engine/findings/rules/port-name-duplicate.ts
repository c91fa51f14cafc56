// Two ports of one Service with the same name.
import { goValue } from './context';
import type { Report, ServiceApiRule } from './types';

export const portNameDuplicate: ServiceApiRule<'port-name-duplicate'> = {
  id: 'port-name-duplicate',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'Duplicate port name',
    severity: 'error',
    category: 'api',
    docs: `Two ports share a name.`,
  },
  check({ obj, portRange, m }) {
    const seen = new Set<string>();
    const out: Report[] = [];
    (obj.object.spec?.ports ?? []).forEach((p, i) => {
      if (!p?.name) return;
      if (seen.has(p.name)) out.push({ range: obj.rangeOf(['spec', 'ports', i, 'name']) ?? portRange(i), message: m.rulePortNameDuplicate({ i, name: goValue(p.name) }), fixes: [] });
      seen.add(p.name);
    });
    return out;
  },
};
