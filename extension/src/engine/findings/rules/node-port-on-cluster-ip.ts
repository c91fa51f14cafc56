// A nodePort on a ClusterIP Service, which the API server forbids.
import type { Report, ServiceApiRule } from './types';

export const nodePortOnClusterIp: ServiceApiRule<'node-port-on-cluster-ip'> = {
  id: 'node-port-on-cluster-ip',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'nodePort on a ClusterIP Service',
    severity: 'error',
    category: 'api',
    docs: `A port has a \`nodePort\` but the Service is \`type: ClusterIP\`. Fix: remove the node
port (preferred) or change the type to NodePort.`,
  },
  check({ obj, defaulted, portRange, remove, setType, m }) {
    if (defaulted.type !== 'ClusterIP') return [];
    const out: Report[] = [];
    (obj.object.spec?.ports ?? []).forEach((p, i) => {
      if (p?.nodePort === undefined || p.nodePort === 0) return;
      const path = ['spec', 'ports', i, 'nodePort'];
      out.push({
        range: obj.rangeOf(path) ?? portRange(i),
        message: m.ruleNodePortOnClusterIp({ i }),
        fixes: [...remove(m.fixRemoveField({ field: 'nodePort' }), path), ...setType('NodePort')],
      });
    });
    return out;
  },
};
