// What the model took for granted beyond the files, said once per run rather than per finding.
import type { ClusterModel } from './cluster';

/** The one thing every `check` run should know about its model: a single node hides every multi-node effect. */
export function modelNote(model: ClusterModel): string | null {
  const nodes = model.profile.nodes;
  if (nodes.length !== 1 || model.services.length === 0) return null;
  return `the cluster profile has one node (${nodes[0]!.name}), so effects that differ between nodes were not evaluated ` +
    '(externalTrafficPolicy or internalTrafficPolicy Local on nodes without an endpoint, masquerading of traffic that enters one node ' +
    'and reaches a pod on another, per-node session affinity); give the cluster\'s nodes with --cluster PROFILE, a profile with ' +
    'a `nodes:` list (see examples/cluster.yaml). --verbose lists every assumption.';
}
