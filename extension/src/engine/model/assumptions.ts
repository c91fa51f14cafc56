// What the model took for granted beyond the files, said once per run rather than per finding.
import { english, type Messages } from '../i18n';
import type { Assumption, ClusterModel } from './cluster';

/** An assumption's reason in the given language (the English one where the catalog has no words for it yet). */
export function assumptionReason(a: Assumption, m: Messages): string {
  return a.because ? m.assumedBecause(a.because) : a.reason;
}

/** The one thing every `check` run should know about its model: a single node hides every multi-node effect. */
export function modelNote(model: ClusterModel, m: Messages = english): string | null {
  const nodes = model.profile.nodes;
  if (nodes.length !== 1 || model.services.length === 0) return null;
  return m.noteOneNode({ node: nodes[0]!.name });
}
