// Turns manifest text into typed Kubernetes objects that remember where each field came from.
import type { Endpoints, Node, Pod, PodTemplateSpec, ReplicationController, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1';
import { DEFAULT_YAML_LIMITS, documentIdentity, parseYamlDocuments, type YamlDocument, type YamlParseLimits } from './yamlAdapter';
import { LineIndex, formatPath, type FieldPath, type SourcePosition, type SourceRange } from './source';
import { validateKubernetesObject } from '../validate';
import { declaredEncoding, foreignEncoding, foreignEncodingMessage } from './encoding';
// the English words straight from their table: the catalog's index imports model types, which import this
import { modelEn, type FieldProblem } from '../i18n/model.en';

export type Severity = 'error' | 'warning' | 'info';

export interface ManifestProblem {
  readonly code: string;
  readonly severity: Severity;
  /** In English; a shell in another language renders `field` with problemMessage. */
  readonly message: string;
  readonly range: SourceRange;
  /** A field that failed validation: what the catalog words. */
  readonly field?: FieldProblemAt | undefined;
}

/** A validation problem at a field, and what the model leaves out because of it. */
export interface FieldProblemAt {
  readonly field: string;
  readonly problem: FieldProblem;
  readonly leftOut: { readonly kind: string } | 'port';
}


interface KindTypes {
  Service: Service;
  EndpointSlice: EndpointSlice;
  Endpoints: Endpoints;
  Pod: Pod;
  Deployment: Deployment;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  ReplicaSet: ReplicaSet;
  ReplicationController: ReplicationController;
  Job: Job;
  CronJob: CronJob;
  NetworkPolicy: NetworkPolicy;
  Node: Node;
}

export type KnownKind = keyof KindTypes;

/** apiVersion each kind must carry to be read (the versions kube-proxy and the API server serve today). */
const KNOWN_API_VERSIONS: Record<KnownKind, string> = {
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Endpoints: 'v1',
  Pod: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  ReplicationController: 'v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Node: 'v1',
};

/** Kinds the egress model reads from the documents themselves (Calico pools, ip-masq-agent and Cilium config maps). */
const EGRESS_KINDS = ['IPPool', 'FelixConfiguration', 'ConfigMap'];

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A recognised object of one kind, with the way back to its source text. */
export interface ManifestObject<K extends KnownKind = KnownKind> {
  readonly kind: K;
  readonly name: string;
  readonly namespace: string;
  readonly object: KindTypes[K];
  readonly fileName: string;
  /** The whole text of the file it came from (shared, not copied). */
  readonly fileText: string;
  /** Index of the YAML document in the file. */
  readonly documentIndex: number;
  /** Path of the object inside its document: [] or ['items', i] for `kind: List`. */
  readonly basePath: FieldPath;
  /** Range of the whole object. */
  readonly range: SourceRange;
  rangeOf(path: FieldPath, part?: 'key' | 'value'): SourceRange | undefined;
  /** Path (relative to the object) of the field at a file offset, if the offset is inside this object. */
  pathAt(offset: number): FieldPath | undefined;
}

export type AnyManifestObject = { [K in KnownKind]: ManifestObject<K> }[KnownKind];

export interface ManifestFile {
  readonly fileName: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly documents: YamlDocument[];
  readonly objects: AnyManifestObject[];
  readonly problems: ManifestProblem[];
}

export interface ParseOptions {
  /** Larger inputs are refused with one clear problem instead of being parsed. */
  readonly maxBytes?: number;
  readonly yamlLimits?: YamlParseLimits;
  /** The parse of an earlier version of this file: unchanged documents are reused, not parsed again. */
  readonly previous?: ManifestFile;
  /** The encoding an editor decoded the text with (VS Code's name, e.g. "utf16le"), when it knows. */
  readonly encoding?: string;
}

/**
 * The largest file analysed, in UTF-16 code units (bytes for ASCII manifests): the CLI refuses larger
 * files by size before reading them, with the same limit, so the two cannot disagree. 64 MiB holds
 * 30,000 Services with 10 endpoints each (about 45 MiB) with room to spare.
 */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const HELM_TEMPLATE = /\{\{-?\s|\{\{[^}]*\}\}/;

export function parseManifest(text: string, fileName: string, options: ParseOptions = {}): ManifestFile {
  const lines = new LineIndex(text, options.previous?.lines);
  const problems: ManifestProblem[] = [];
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (text.length > maxBytes) {
    problems.push({
      code: 'input-too-large', severity: 'error', range: lines.range(0, 0),
      message: `File is ${(text.length / 1048576).toFixed(1)} MiB; NAT Lens analyses files up to ${(maxBytes / 1048576).toFixed(0)} MiB`,
    });
    return { fileName, text, lines, documents: [], objects: [], problems };
  }
  const encoding = declaredEncoding(options.encoding) ?? foreignEncoding(text);
  if (encoding) {
    problems.push({ code: 'file-encoding', severity: 'error', range: lines.range(0, 0), message: foreignEncodingMessage(encoding) });
    return { fileName, text, lines, documents: [], objects: [], problems };
  }
  const documents = parseYamlDocuments(text, lines, options.yamlLimits ?? DEFAULT_YAML_LIMITS, options.previous?.documents ?? []);
  const objects: AnyManifestObject[] = [];
  for (const doc of documents) {
    const collected = collectedOnce(doc, lines);
    const origin = doc.range.start;
    const located = (p: CollectedProblem): ManifestProblem => ({ ...p, range: placedAt(p.range, origin) });
    if (collected.helm) { problems.push(located(collected.helm)); continue; }
    for (const p of doc.problems) problems.push({ code: 'yaml-syntax', severity: p.severity, message: `YAML: ${p.message}`, range: p.range });
    for (const p of collected.problems) problems.push(located(p));
    for (const o of collected.objects) {
      const { range, rangeOf, pathAt } = objectLocator(doc, o.basePath, placedAt(o.range, origin));
      objects.push({
        kind: o.kind, name: o.name, namespace: o.namespace, object: o.object, fileName, fileText: text,
        documentIndex: doc.index, basePath: o.basePath, range, rangeOf, pathAt,
      } as AnyManifestObject);
    }
  }
  return { fileName, text, lines, documents, objects, problems };
}

/** A problem or an object of a document, its range relative to the document's start (see relativeTo). */
interface CollectedProblem { readonly code: string; readonly severity: Severity; readonly message: string; readonly range: SourceRange; readonly field?: FieldProblemAt | undefined }
interface CollectedObject {
  readonly kind: KnownKind; readonly name: string; readonly namespace: string; readonly object: unknown;
  readonly basePath: FieldPath; readonly range: SourceRange;
}
interface CollectedDocument { readonly helm: CollectedProblem | null; readonly problems: CollectedProblem[]; readonly objects: CollectedObject[] }

/** By document content (yamlAdapter's documentIdentity): a keystroke reads one document's objects again, not all. */
const collectedOf = new WeakMap<object, CollectedDocument>();

function collectedOnce(doc: YamlDocument, lines: LineIndex): CollectedDocument {
  const id = documentIdentity(doc);
  let collected = collectedOf.get(id);
  if (!collected) collectedOf.set(id, (collected = collectDocument(doc, lines)));
  return collected;
}

/**
 * A range as seen from `origin` (line 0 is the origin's line, whose characters count from it), so that
 * it moves with an unchanged document without a line look-up; placedAt is the inverse.
 */
function relativeTo(range: SourceRange, origin: SourcePosition): SourceRange {
  const from = (p: SourcePosition) => ({ offset: p.offset - origin.offset, line: p.line - origin.line, character: p.line === origin.line ? p.character - origin.character : p.character });
  return { start: from(range.start), end: from(range.end) };
}

function placedAt(range: SourceRange, origin: SourcePosition): SourceRange {
  const to = (p: SourcePosition) => ({ offset: origin.offset + p.offset, line: origin.line + p.line, character: p.line === 0 ? origin.character + p.character : p.character });
  return { start: to(range.start), end: to(range.end) };
}

function collectDocument(doc: YamlDocument, lines: LineIndex): CollectedDocument {
  const origin = doc.range.start;
  // doc.text starts where the document does
  const helm = HELM_TEMPLATE.exec(doc.text);
  if (helm) {
    const message = 'Helm template syntax ({{ }}): render the chart first (helm template) to analyse this document; skipped';
    const range = lines.range(origin.offset + helm.index, origin.offset + helm.index + helm[0].length);
    return { helm: { code: 'helm-template', severity: 'warning', message, range: relativeTo(range, origin) }, problems: [], objects: [] };
  }
  const problems: ManifestProblem[] = [];
  const found: CollectedObject[] = [];
  if (doc.value !== undefined && doc.value !== null) collectObjects(doc, doc.value, [], found, problems);
  return {
    helm: null,
    problems: problems.map(p => ({ ...p, range: relativeTo(p.range, origin) })),
    objects: found.map(o => ({ ...o, range: relativeTo(o.range, origin) })),
  };
}

function collectObjects(doc: YamlDocument, value: unknown, basePath: FieldPath, out: CollectedObject[], problems: ManifestProblem[]): void {
  const range = doc.rangeOf(basePath) ?? doc.range;
  if (!isRecord(value)) {
    problems.push({ code: 'not-an-object', severity: 'warning', range, message: 'Not a Kubernetes object (expected a mapping with apiVersion and kind); ignored' });
    return;
  }
  const kind = value['kind'];
  if (typeof kind !== 'string') {
    problems.push({ code: 'no-kind', severity: 'warning', range, message: 'Not a Kubernetes object: `kind` is missing; ignored' });
    return;
  }
  if (kind === 'List' || kind.endsWith('List')) {
    const items = value['items'];
    if (Array.isArray(items)) items.forEach((item, i) => collectObjects(doc, item, [...basePath, 'items', i], out, problems));
    return;
  }
  if (!Object.hasOwn(KNOWN_API_VERSIONS, kind)) {
    // CNI objects are read by the egress model (engine/egress) straight from the YAML
    if (EGRESS_KINDS.includes(kind)) return;
    problems.push({ code: 'unknown-kind', severity: 'info', range: doc.rangeOf([...basePath, 'kind']) ?? range, message: `Kind ${kind} does not affect Service NAT; ignored` });
    return;
  }
  const known = kind as KnownKind;
  const apiVersion = value['apiVersion'];
  if (apiVersion !== KNOWN_API_VERSIONS[known]) {
    problems.push({
      code: 'unknown-api-version', severity: 'warning', range: doc.rangeOf([...basePath, 'apiVersion']) ?? range,
      message: `${kind} with apiVersion ${JSON.stringify(apiVersion ?? null)} is not read; expected ${KNOWN_API_VERSIONS[known]}`,
    });
    return;
  }
  const validated = validateKubernetesObject(known, value);
  for (const v of validated.violations) {
    const field: FieldProblemAt = { field: formatPath(v.path), problem: v.problem, leftOut: validated.rejected ? { kind } : 'port' };
    problems.push({
      code: 'invalid-field', severity: 'error', range: doc.rangeOf([...basePath, ...v.path]) ?? doc.rangeOf([...basePath, ...v.path.slice(0, -1)]) ?? range,
      message: modelEn.fieldProblem(field), field,
    });
  }
  if (validated.rejected) return;
  const checked = validated.value;
  const metadata = isRecord(checked['metadata']) ? checked['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] ? metadata['namespace'] : 'default';
  if (!name) problems.push({ code: 'no-name', severity: 'warning', range, message: `${kind} has no metadata.name` });
  out.push({ kind: known, name, namespace, object: withoutNulls(checked), basePath, range });
}

/**
 * Ranges and paths of the object at `basePath` of a document (the document itself, or a List item),
 * relative to that object.
 */
export function objectLocator(doc: YamlDocument, basePath: FieldPath, range = doc.rangeOf(basePath) ?? doc.range): Pick<ManifestObject, 'range' | 'rangeOf' | 'pathAt'> {
  return {
    range,
    rangeOf: (path, part) => doc.rangeOf([...basePath, ...path], part),
    pathAt: offset => {
      if (offset < range.start.offset || offset > range.end.offset) return undefined;
      const full = doc.pathAt(offset);
      if (!full || basePath.some((p, i) => full[i] !== p)) return undefined;
      return full.slice(basePath.length);
    },
  };
}

/**
 * The object as the API server decodes it: a field written as `null` is unset (`nodePort: null` on a
 * ClusterIP Service is accepted). List entries stay, so field paths keep pointing at the source.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withoutNulls);
    return items.every((v, i) => v === value[i]) ? value : items;
  }
  if (!isRecord(value)) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const stripped = v === null ? undefined : withoutNulls(v);
    if (stripped !== v) changed = true;
    if (stripped !== undefined) out[k] = stripped;
  }
  // unchanged objects keep their identity: caches key on a reused document's value
  return changed ? out : value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function ofKind<K extends KnownKind>(objects: readonly AnyManifestObject[], kind: K): ManifestObject<K>[] {
  return objects.filter((o): o is ManifestObject<K> & AnyManifestObject => o.kind === kind) as ManifestObject<K>[];
}

/** The pod template (or the pod itself) a workload object runs. */
export function podTemplateOf(o: ManifestObject<WorkloadKind>): PodTemplateSpec | undefined {
  const obj = o.object as unknown as Record<string, unknown>;
  const spec = isRecord(obj['spec']) ? obj['spec'] : undefined;
  if (o.kind === 'Pod') return { metadata: (obj['metadata'] ?? {}) as PodTemplateSpec['metadata'], spec: spec as PodTemplateSpec['spec'] };
  if (o.kind === 'CronJob') {
    const jobTemplate = spec && isRecord(spec['jobTemplate']) ? spec['jobTemplate'] : undefined;
    const jobSpec = jobTemplate && isRecord(jobTemplate['spec']) ? jobTemplate['spec'] : undefined;
    return jobSpec && isRecord(jobSpec['template']) ? (jobSpec['template'] as PodTemplateSpec) : undefined;
  }
  return spec && isRecord(spec['template']) ? (spec['template'] as PodTemplateSpec) : undefined;
}
