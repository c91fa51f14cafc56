// A selector no workload of the workspace matches, and no endpoint objects: a warning only when a
// workload of the same file carries part of the selector (it was written for that workload and
// misses), with no custom resource an operator could turn into the pods and no controller label
// whose value is chosen at run time; otherwise information, saying what NAT Lens could not see.
import { noEndpointsConsequence } from '../../facts/diagnostics';
import { nearMisses, operatorSources, type CustomResource } from '../evidence';
import type { ServiceNatRule } from './types';

export const selectorMatchesNothing: ServiceNatRule<'selector-matches-nothing'> = {
  id: 'selector-matches-nothing',
  subject: 'Service', needsRules: true,
  meta: {
    title: 'No workload matches the selector',
    severity: 'warning',
    category: 'nat',
    docs: `The workspace has workloads, but none in the Service's namespace matches its
selector, and there is no EndpointSlice for it: if no pod has those labels, the Service has no
endpoints and kube-proxy REJECTs connections to it ("connection refused"). Reported only when the
workspace holds workloads at all. The labels controllers add to their pods count
(\`statefulset.kubernetes.io/pod-name\`, \`apps.kubernetes.io/pod-index\`, \`job-name\`,
\`batch.kubernetes.io/job-name\`, \`batch.kubernetes.io/job-completion-index\`); a selector on a label
whose value is chosen at run time (\`pod-template-hash\`, \`controller-revision-hash\`, \`controller-uid\`)
cannot be decided. A warning only when a workload in the same file carries part of the selector and
misses the rest (the selector was written for it); otherwise information, since pods created by an
operator (from a custom resource in the files, such as a Prometheus or a CephCluster), by a controller,
or defined in other files do not appear in the files given.`,
  },
  check({ obj, entry, model, workspace, facts, defaulted, at, m }) {
    const selector = defaulted.selector;
    const hasEndpointObjects = entry.ports.some(p => p.endpointOrigin === 'EndpointSlice' || p.endpointOrigin === 'Endpoints');
    if (!selector || Object.keys(selector).length === 0 || hasEndpointObjects || entry.selectedWorkloads.length > 0 || model.workloads.length === 0 || entry.ports.length === 0) return [];
    const range = at(['spec', 'selector'], 'key');
    const wanted = Object.entries(selector).map(([k, val]) => `${k}=${val}`).join(',');
    const consequence = noEndpointsConsequence(facts(), m);
    const operators = operatorSources(entry, workspace);
    const possible = entry.possiblySelectedWorkloads;
    const misses = nearMisses(entry, model.workloads.filter(w => w.obj.fileName === obj.fileName), selector);
    if (misses.length > 0 && operators.length === 0 && possible.length === 0) {
      const miss = misses[0]!;
      const instead = miss.missed.map(x => (x.has === undefined ? m.selectorNoLabel({ key: x.key }) : `${x.key}=${x.has}`)).join(', ');
      return [{ range, fixes: [], message: m.selectorNearMiss({ wanted, workload: `${miss.workload.obj.kind}/${miss.workload.obj.name}`, matched: miss.matched.join(','), instead, consequence }) }];
    }
    const because = possible.length > 0
      ? m.selectorRuntimeLabels({ workloads: possible.map(w => `${w.obj.kind}/${w.obj.name}`).join(', '), labels: [...new Set(possible.flatMap(w => w.runtimeLabels.filter(k => k in selector)))].join(', ') })
      : operators.length > 0 ? m.selectorOperator({ kinds: crKinds(operators) }) : m.selectorElsewhere();
    return [{ range, fixes: [], severity: 'information', message: m.selectorNoWorkload({ wanted, because, consequence }) }];
  },
};

/** "Prometheus/k8s" for one, else the distinct kinds: "CephCluster, CephObjectStore, Driver, ...". */
function crKinds(crs: readonly CustomResource[]): string {
  if (crs.length === 1) return `${crs[0]!.kind}/${crs[0]!.name}`;
  const kinds = [...new Set(crs.map(cr => cr.kind))];
  return kinds.length <= 4 ? kinds.join(', ') : `${kinds.slice(0, 4).join(', ')}, ...`;
}
