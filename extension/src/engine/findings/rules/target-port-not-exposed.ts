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
  check({ obj, entry, at }) {
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
        out.push({
          range: obj.rangeOf(path) ?? at(['spec', 'ports', sp.portIndex]),
          ...(named ? {} : { severity: 'information' as const }),
          message: named
            ? `No container of ${w.obj.kind}/${w.obj.name} has a port named ${JSON.stringify(sp.targetPort)} (${sp.protocol}): its pods are left out of the Service's endpoints.`
            : `${w.obj.kind}/${w.obj.name} declares container ports ${w.ports.map(p => `${p.containerPort}/${p.protocol}`).join(', ')} but not ${sp.targetPort}/${sp.protocol}. ` +
              `Kubernetes does not require a containerPort for a numeric targetPort: connections are DNATed to port ${sp.targetPort} of its pods, which works if the container listens there (its command or configuration decides, which NAT Lens cannot see) and is refused otherwise.`,
          fixes: e ? [{ title: `Use ${replacement}, the port ${w.obj.kind}/${w.obj.name} exposes`, edits: [e], preferred: named, kind: 'quickfix' }] : [],
        });
      }
    }
    return out;
  },
};
