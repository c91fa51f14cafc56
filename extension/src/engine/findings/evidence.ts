// What the files given can and cannot show about a Service's pods: the evidence that decides whether a
// finding is a warning (the files prove it) or information (it depends on something NAT Lens cannot see).
import { isRecord, type ManifestFile } from '../manifest/manifest';
import type { ServiceEntry, Workload } from '../model/cluster';

/** API groups of Kubernetes itself: objects of other groups are custom resources, which an operator may turn into pods. */
const BUILT_IN_GROUP = /(^|\.)k8s\.io$|^(apps|batch|policy|autoscaling|extensions)$/;

export interface CustomResource {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | null;
}

/** Per list of files, and per file (the editor passes a new list of the same files after an edit elsewhere). */
const customResourcesOf = new WeakMap<readonly ManifestFile[] | ManifestFile, CustomResource[]>();

/** Custom resources in the files (CustomResourceDefinitions aside): Prometheus, Alertmanager, CephCluster, ... */
export function customResources(files: readonly ManifestFile[]): CustomResource[] {
  const known = customResourcesOf.get(files);
  if (known) return known;
  const out = files.flatMap(customResourcesIn);
  customResourcesOf.set(files, out);
  return out;
}

/** Per document value (a reused document keeps its value): a keystroke visits the edited document only. */
const customResourcesOfValue = new WeakMap<object, CustomResource[]>();

function customResourcesIn(file: ManifestFile): CustomResource[] {
  const known = customResourcesOf.get(file);
  if (known) return known;
  const out = file.documents.flatMap(d => {
    if (!isRecord(d.value)) return [];
    const cached = customResourcesOfValue.get(d.value);
    if (cached) return cached;
    const found = customResourcesOfDocument(d.value);
    customResourcesOfValue.set(d.value, found);
    return found;
  });
  customResourcesOf.set(file, out);
  return out;
}

function customResourcesOfDocument(value: unknown): CustomResource[] {
  const out: CustomResource[] = [];
  const visit = (value: unknown) => {
    if (!isRecord(value)) return;
    if (Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) { value['items'].forEach(visit); return; }
    const apiVersion = value['apiVersion'], kind = value['kind'];
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion.includes('/')) return;
    const group = apiVersion.slice(0, apiVersion.indexOf('/'));
    if (BUILT_IN_GROUP.test(group)) return;
    const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
    out.push({ kind, name: typeof metadata['name'] === 'string' ? metadata['name'] : '', namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null });
  };
  visit(value);
  return out;
}

/** Custom resource kinds that configure, watch or secure, and never become pods themselves. */
const NOT_POD_MAKERS = new Set(['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'Probe', 'ScrapeConfig', 'AlertmanagerConfig', 'SecurityContextConstraints', 'OperatorConfig', 'IPPool', 'FelixConfiguration', 'BGPConfiguration', 'BGPPeer', 'IPAddressPool', 'L2Advertisement', 'BGPAdvertisement']);

/** Custom resources that may create pods in the Service's namespace (one without a namespace may land in any), its own namespace's first. */
export function operatorSources(entry: ServiceEntry, files: readonly ManifestFile[]): CustomResource[] {
  const ns = entry.obj.namespace;
  return customResources(files)
    .filter(cr => !NOT_POD_MAKERS.has(cr.kind) && (cr.namespace === null || cr.namespace === ns))
    .sort((a, b) => Number(a.namespace !== ns) - Number(b.namespace !== ns));
}

export interface NearMiss {
  readonly workload: Workload;
  /** Selector pairs its pods have. */
  readonly matched: readonly string[];
  /** Selector pairs they lack, with the value they have instead, if any. */
  readonly missed: readonly { key: string; wanted: string; has: string | undefined }[];
}

/**
 * Workloads of the Service's namespace whose pods have some of the selector's labels but not all: the
 * selector was most likely written for them, so their not matching is evidence of a mistake.
 */
export function nearMisses(entry: ServiceEntry, workloads: readonly Workload[], selector: Readonly<Record<string, string>>): NearMiss[] {
  const out: NearMiss[] = [];
  for (const w of workloads) {
    if (w.obj.namespace !== entry.obj.namespace || w.runtimeLabels.some(k => k in selector)) continue;
    const labels = w.pods[0]?.labels ?? w.labels;
    const pairs = Object.entries(selector).map(([k, v]) => ({ key: k, wanted: String(v), has: labels[k] }));
    const matched = pairs.filter(p => p.has === p.wanted).map(p => `${p.key}=${p.wanted}`);
    const missed = pairs.filter(p => p.has !== p.wanted);
    if (matched.length > 0 && missed.length > 0) out.push({ workload: w, matched, missed });
  }
  return out;
}
