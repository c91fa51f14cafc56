// A node port outside the cluster's --service-node-port-range.
import type { Report, ServiceApiRule } from './types';

export const nodePortRange: ServiceApiRule<'node-port-range'> = {
  id: 'node-port-range',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'nodePort outside the node port range',
    severity: 'error',
    category: 'api',
    docs: `The node port is outside the cluster's \`--service-node-port-range\` (the profile's
\`nodePortRange\`, 30000-32767 by default).`,
  },
  check({ obj, model, defaulted, portRange, m }) {
    if (defaulted.type === 'ClusterIP') return [];
    const { min, max } = model.profile.nodePortRange;
    const out: Report[] = [];
    (obj.object.spec?.ports ?? []).forEach((p, i) => {
      if (p?.nodePort === undefined || p.nodePort === 0 || (p.nodePort >= min && p.nodePort <= max)) return;
      out.push({
        range: obj.rangeOf(['spec', 'ports', i, 'nodePort']) ?? portRange(i),
        message: m.ruleNodePortRange({ i, nodePort: p.nodePort, min, max }),
        fixes: [],
      });
    });
    return out;
  },
};
