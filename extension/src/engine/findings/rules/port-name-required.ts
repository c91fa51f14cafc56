// Every port of a Service with several ports needs a name.
import { addField } from '../edits';
import type { Report, ServiceApiRule } from './types';

export const portNameRequired: ServiceApiRule<'port-name-required'> = {
  id: 'port-name-required',
  subject: 'Service', needsRules: false,
  meta: {
    title: 'Unnamed port in a Service with several ports',
    severity: 'error',
    category: 'api',
    docs: `A Service with several ports has a port without a name. kube-proxy keys its chains
on the port name, so names also decide the chain hashes. Fix: name it \`port-<number>\`.`,
  },
  check({ obj, portRange, m }) {
    const ports = obj.object.spec?.ports ?? [];
    if (ports.length <= 1) return [];
    const out: Report[] = [];
    ports.forEach((p, i) => {
      if (p?.name) return;
      const name = `port-${p?.port ?? i}`;
      const e = addField(obj, ['spec', 'ports', i], 'name', name);
      out.push({
        range: portRange(i), message: m.rulePortNameRequired({ i }),
        fixes: e ? [{ title: m.fixNamePort({ name }), edits: [e], preferred: true, kind: 'quickfix' }] : [],
      });
    });
    return out;
  },
};
