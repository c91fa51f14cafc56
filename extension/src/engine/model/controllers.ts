// What the controllers and the API server add to the pods a workload runs, beyond its pod template:
// a Service may select on these labels, and only some of their values can be known from the files.
import { isRecord, type ManifestObject, type WorkloadKind } from '../manifest/manifest';

/** Labels one pod carries that are not in the template: known values, and keys whose value is chosen at run time. */
export interface ControllerLabels {
  readonly known: Readonly<Record<string, string>>;
  /** Keys set on every pod with a value NAT Lens cannot know (a hash, a UID, a generated name). */
  readonly runtime: readonly string[];
}

const NONE: ControllerLabels = { known: {}, runtime: [] };

/**
 * The labels on pod number `ordinal` of a workload:
 * - StatefulSet: pkg/controller/statefulset/stateful_set_utils.go updateIdentity sets
 *   statefulset.kubernetes.io/pod-name (the pod name) and apps.kubernetes.io/pod-index (the ordinal);
 *   setPodRevision sets controller-revision-hash (the ControllerRevision's name).
 * - Deployment: pkg/controller/deployment/sync.go getNewReplicaSet adds pod-template-hash to the
 *   ReplicaSet's template (a hash of the template and the collision count).
 * - DaemonSet: pkg/controller/daemon/util CreatePodTemplate adds controller-revision-hash and
 *   pod-template-generation.
 * - Job (also the Jobs of a CronJob): pkg/registry/batch/job/strategy.go generateSelector adds
 *   batch.kubernetes.io/job-name and job-name (the Job's name), batch.kubernetes.io/controller-uid and
 *   controller-uid (its UID) unless manualSelector is set; pkg/controller/job addCompletionIndexLabel
 *   adds batch.kubernetes.io/job-completion-index for Indexed Jobs. A CronJob names its Jobs
 *   `<name>-<scheduled time>`, so their names are known only at run time.
 * - ReplicaSet and ReplicationController created directly, and bare Pods: nothing.
 */
export function controllerLabels(o: ManifestObject<WorkloadKind>, podName: string, ordinal: number): ControllerLabels {
  const spec = isRecord((o.object as { spec?: unknown }).spec) ? (o.object as { spec: Record<string, unknown> }).spec : {};
  switch (o.kind) {
    case 'StatefulSet':
      return { known: { 'statefulset.kubernetes.io/pod-name': podName, 'apps.kubernetes.io/pod-index': String(ordinal) }, runtime: ['controller-revision-hash'] };
    case 'Deployment':
      return { known: {}, runtime: ['pod-template-hash'] };
    case 'DaemonSet':
      return { known: {}, runtime: ['controller-revision-hash', 'pod-template-generation'] };
    case 'Job':
      return jobLabels(spec, o.name, ordinal);
    case 'CronJob': {
      const jobSpec = isRecord(spec['jobTemplate']) && isRecord(spec['jobTemplate']['spec']) ? spec['jobTemplate']['spec'] : {};
      return jobLabels(jobSpec, null, ordinal);
    }
    default:
      return NONE;
  }
}

const JOB_NAME_LABELS = ['batch.kubernetes.io/job-name', 'job-name'];
const JOB_UID_LABELS = ['batch.kubernetes.io/controller-uid', 'controller-uid'];

function jobLabels(jobSpec: Record<string, unknown>, jobName: string | null, ordinal: number): ControllerLabels {
  const known: Record<string, string> = {};
  const runtime: string[] = [];
  if (jobSpec['manualSelector'] !== true) {
    for (const k of JOB_NAME_LABELS) if (jobName !== null) known[k] = jobName; else runtime.push(k);
    runtime.push(...JOB_UID_LABELS);
  }
  if (jobSpec['completionMode'] === 'Indexed') known['batch.kubernetes.io/job-completion-index'] = String(ordinal);
  return { known, runtime };
}

export type SelectorMatch = 'match' | 'no-match' | 'unknown';

/**
 * Whether a pod with these labels is selected: 'unknown' when the answer depends only on labels whose
 * values a controller picks at run time (the Service may have been written against a live pod).
 */
export function matchPod(labels: Readonly<Record<string, string>>, runtime: readonly string[], selector: Readonly<Record<string, unknown>>): SelectorMatch {
  let unknown = false;
  for (const [k, v] of Object.entries(selector)) {
    if (k in labels) { if (labels[k] !== String(v)) return 'no-match'; }
    else if (runtime.includes(k)) unknown = true;
    else return 'no-match';
  }
  return unknown ? 'unknown' : 'match';
}
