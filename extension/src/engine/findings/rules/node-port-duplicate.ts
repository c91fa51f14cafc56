// The same node port twice for one protocol (the API server keys node ports on protocol and port).
import type { Report, ServiceApiRule } from './types';

export const nodePortDuplicate: ServiceApiRule<'node-port-duplicate'> = {
  id: 'node-port-duplicate',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'The same nodePort twice for one protocol',
    severity: 'error',
    category: 'api',
    docs: `Two ports of one Service use the same node port for the same protocol.`,
  },
  check({ obj, portRange, m }) {
    const seen = new Set<string>();
    const out: Report[] = [];
    (obj.object.spec?.ports ?? []).forEach((p, i) => {
      if (p?.nodePort === undefined || p.nodePort === 0) return;
      const key = `${p.protocol ?? 'TCP'}/${p.nodePort}`;
      if (seen.has(key)) out.push({ range: obj.rangeOf(['spec', 'ports', i, 'nodePort']) ?? portRange(i), message: m.ruleNodePortDuplicate({ i, nodePort: p.nodePort }), fixes: [] });
      seen.add(key);
    });
    return out;
  },
};
