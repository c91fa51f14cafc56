// A targetPort that a selected workload's containers do not expose.
import { replaceValue } from '../edits';
import type { Report, ServiceNatRule } from './types';

export const targetPortNotExposed: ServiceNatRule<'target-port-not-exposed'> = {
  id: 'target-port-not-exposed',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'targetPort that no selected container exposes',
    severity: 'warning',
    category: 'nat',
    docs: `A selected workload has no container port with the Service's named \`targetPort\`
(a warning: its pods are left out of the endpoints), or declares container ports but not the numeric
\`targetPort\` (information: Kubernetes does not require a \`containerPort\` for a numeric
\`targetPort\`, and the container may listen there as its command or configuration says; if it does
not, connections are refused). Fix: the port the workload exposes, when there is exactly one;
preferred only for a named port, since replacing a numeric one can break a container that listens there.`,
  },
  check({ obj, entry, at, m }) {
    const out: Report[] = [];
    for (const port of entry.ports) {
      const sp = port.info;
      if (port.endpointOrigin !== 'derived' && port.endpointOrigin !== 'none') continue;
      for (const w of entry.selectedWorkloads) {
        const named = typeof sp.targetPort === 'string';
        const exposed = named ? w.ports.some(p => p.name === sp.targetPort && p.protocol === sp.protocol) : w.ports.some(p => p.containerPort === sp.targetPort && p.protocol === sp.protocol);
        if (exposed || (!named && w.ports.length === 0)) continue;
        const path = ['spec', 'ports', sp.portIndex, 'targetPort'];
        const candidates = w.ports.filter(p => p.protocol === sp.protocol);
        const only = candidates.length === 1 ? candidates[0]! : null;
        const replacement = only && (named && only.name ? only.name : String(only.containerPort));
        const e = replacement ? replaceValue(obj, path, replacement) : null;
        // a named targetPort resolves only through a declared container port (FindPort); a numeric one
        // needs no declaration, so replacing it is offered but never preferred
        const workload = `${w.obj.kind}/${w.obj.name}`;
        out.push({
          range: obj.rangeOf(path) ?? at(['spec', 'ports', sp.portIndex]),
          ...(named ? {} : { severity: 'information' as const }),
          message: typeof sp.targetPort === 'string'
            ? m.ruleTargetPortNamed({ workload, name: sp.targetPort, protocol: sp.protocol })
            : m.ruleTargetPortNumeric({ workload, declared: w.ports.map(p => `${p.containerPort}/${p.protocol}`), port: sp.targetPort, protocol: sp.protocol }),
          fixes: e && replacement ? [{ title: m.fixTargetPort({ replacement, workload }), edits: [e], preferred: named, kind: 'quickfix' }] : [],
        });
      }
    }
    return out;
  },
};
