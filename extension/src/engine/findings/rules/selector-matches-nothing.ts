// A selector no workload of the workspace matches, and no endpoint objects.
import type { ServiceNatRule } from './types';

export const selectorMatchesNothing: ServiceNatRule<'selector-matches-nothing'> = {
  id: 'selector-matches-nothing',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'No workload matches the selector',
    severity: 'warning',
    category: 'nat',
    docs: `The workspace has workloads, but none in the Service's namespace matches its
selector, and there is no EndpointSlice for it: the Service has no endpoints, and kube-proxy REJECTs
connections to it ("connection refused"). Reported only when the workspace holds workloads at all.`,
  },
  check({ entry, model, walker, defaulted, at }) {
    const selector = defaulted.selector;
    const hasEndpointObjects = entry.ports.some(p => p.endpointOrigin === 'EndpointSlice' || p.endpointOrigin === 'Endpoints');
    if (!selector || Object.keys(selector).length === 0 || hasEndpointObjects || entry.selectedWorkloads.length > 0 || model.workloads.length === 0 || entry.ports.length === 0) return [];
    const sp = entry.ports[0]!.info;
    const r = walker.trace({ source: { kind: 'node', node: model.profile.nodeName }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' });
    return [{
      range: at(['spec', 'selector'], 'key'),
      message: `No workload in the workspace matches the selector ${Object.entries(selector).map(([k, val]) => `${k}=${val}`).join(',')}: the Service has no endpoints` +
        (r.verdict === 'REJECT' ? ', and kube-proxy REJECTs connections to it: clients see "connection refused".' : '.'),
      fixes: [],
    }];
  },
};
