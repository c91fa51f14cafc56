// Diagnostics for the objects of one manifest file: runs the rule modules (rules/, one per rule)
// over its Services and NetworkPolicies, applies the severity settings and suppression comments,
// and caches each Service's findings.
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import { documentIdentity } from '../manifest/yamlAdapter';
import type { LineIndex, SourceRange } from '../manifest/source';
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import { defaultService, externallyAccessible } from '../model/service';
import { serviceWalker } from '../facts/service';
import { resolveCni } from '../egress/profile';
import { readCniConfig } from '../egress/workspace';
import type { CniConfig } from '../egress/types';
import { RULES, type FindingSeverity, type RuleId } from './catalog';
import { setField, type TextEdit } from './edits';
import { RULE_MODULES } from './rules';
import { serviceContext, serviceNatContext } from './rules/context';
import type { Fix, Report } from './rules/types';
import { serviceEntryOf } from './walks';
import { customResources, type CustomResource } from './evidence';
import { english, type Messages } from '../i18n';

export type { Fix } from './rules/types';

export interface Finding {
  readonly rule: RuleId;
  readonly severity: FindingSeverity;
  readonly message: string;
  readonly range: SourceRange;
  readonly fixes: readonly Fix[];
  /** "namespace/name" of the Service. */
  readonly service: string;
}

export interface AnalyzeOptions {
  /** Per-rule severity, or "off". */
  readonly severities?: Readonly<Partial<Record<RuleId, FindingSeverity | 'off'>>>;
  /** The workspace's manifest files, whose CNI objects decide egress SNAT (default: the analysed file alone). */
  readonly workspace?: readonly ManifestFile[];
  /** The language of the messages (default English). */
  readonly messages?: Messages;
}

type Draft = Report & { readonly rule: RuleId };

export function analyzeFile(file: ManifestFile, model: ClusterModel, options: AnalyzeOptions = {}, cache?: FindingsCache): Finding[] {
  const suppressed = suppressions(file.text, file.lines);
  const out: Finding[] = [];
  const report = (d: Draft, subject: string) => {
    const configured = options.severities?.[d.rule];
    if (configured === 'off' || suppressed.file.has('*') || suppressed.file.has(d.rule)) return;
    const lineRules = suppressed.lines.get(d.range.start.line);
    if (lineRules && (lineRules.has('*') || lineRules.has(d.rule))) return;
    out.push({ ...d, severity: configured ?? d.severity ?? RULES[d.rule].severity, service: subject });
  };
  const workspace = options.workspace ?? [file];
  cache?.begin(model, customResources(workspace));
  const m = options.messages ?? english;
  for (const obj of ofKind(file.objects, 'Service')) {
    const drafts = cache?.get(file, obj, model) ?? cache?.put(file, obj, model, analyzeService(obj, file, model, workspace, m)) ?? analyzeService(obj, file, model, workspace, m);
    for (const d of drafts) report(d, `${obj.namespace}/${obj.name}`);
  }
  let cni: CniConfig | undefined;
  for (const obj of ofKind(file.objects, 'NetworkPolicy')) {
    const ctx = { obj, model, workspace, m, cni: () => (cni ??= resolveCni(model.profile.cni, readCniConfig(workspace), model.profile).config) };
    for (const rule of RULE_MODULES) {
      if (rule.subject === 'NetworkPolicy') for (const r of rule.check(ctx)) report({ ...r, rule: rule.id }, `${obj.namespace}/${obj.name}`);
    }
  }
  for (const rule of RULE_MODULES) {
    if (rule.subject === 'File') for (const { subject, ...r } of rule.check({ file, model, m })) report({ ...r, rule: rule.id }, subject);
  }
  return out;
}

function analyzeService(obj: ManifestObject<'Service'>, file: ManifestFile, model: ClusterModel, workspace: readonly ManifestFile[], m: Messages): Draft[] {
  const ctx = serviceContext(obj, file, model, workspace, m);
  const entry = serviceEntryOf(model, obj);
  // a Service kube-proxy's label filter hides has no rules to find anything in
  const hidden = entry?.skipped?.kind === 'service-proxy-name' || entry?.skipped?.kind === 'headless-label';
  const nat = entry && !hidden ? serviceNatContext(ctx, entry, serviceWalker(entry, model)) : null;
  const drafts: Draft[] = [];
  for (const rule of RULE_MODULES) {
    if (rule.subject !== 'Service') continue;
    const reports = rule.needsRules ? (nat ? rule.check(nat) : []) : rule.check(ctx);
    for (const r of reports) drafts.push({ ...r, rule: rule.id });
  }
  // in document order, as linters list them (stable: rules at one position keep catalog order)
  return drafts.sort((a, b) => a.range.start.offset - b.range.start.offset);
}

/**
 * Findings per Service document, reused while neither that document nor anything it depends on
 * (the profile, the workloads, the Service's own EndpointSlices or Endpoints) changed: after a
 * keystroke only the edited Service is analysed again, after an edit in an EndpointSlice only the
 * Services it backs. Reused findings are moved to where their document now starts.
 */
export class FindingsCache {
  private context: readonly unknown[] = [];
  /** By document, then by the Service's path in it (the items of a List share their document). */
  private entries = new Map<object, Map<string, CachedFindings>>();

  /**
   * Drops everything when what every Service depends on changed: the profile, a workload's selector
   * or pods, custom resources (evidence for operator-made pods).
   */
  begin(model: ClusterModel, customResources: readonly CustomResource[] = []): void {
    const context = [model.profile, JSON.stringify(customResources), ...model.workloads.map(w => w.obj.object)];
    const same = context.length === this.context.length && context.every((c, i) => c === this.context[i]);
    if (!same) this.entries.clear();
    this.context = context;
  }

  /** What else a Service's findings depend on: where it sits in a List and what the API server allocated for it. */
  private key(entry: ServiceEntry | undefined, obj: ManifestObject<'Service'>): string {
    const spec = entry?.service.spec;
    return JSON.stringify([obj.basePath, spec?.clusterIP, spec?.healthCheckNodePort, spec?.ports?.map(p => p?.nodePort)]);
  }

  /** The cached record of a Service, if it is still valid for this model. */
  private valid(file: ManifestFile, obj: ManifestObject<'Service'>, model: ClusterModel): CachedFindings | undefined {
    const doc = file.documents[obj.documentIndex];
    const hit = doc ? this.entries.get(documentIdentity(doc))?.get(obj.basePath.join('/')) : undefined;
    if (!hit) return undefined;
    const entry = serviceEntryOf(model, obj);
    // a model built on the previous one hands over the same objects for what did not change
    if (entry && hit.service === entry.service && hit.ports === entry.ports) return hit;
    return hit.key === this.key(entry, obj) && sameEndpoints(hit.endpoints, endpointObjects(entry)) ? hit : undefined;
  }

  /** A valid record for the Service, a fresh one (replacing a stale one) when needed; null outside a document. */
  private record(file: ManifestFile, obj: ManifestObject<'Service'>, model: ClusterModel): CachedFindings | null {
    const doc = file.documents[obj.documentIndex];
    if (!doc) return null;
    const valid = this.valid(file, obj, model);
    if (valid) return valid;
    const id = documentIdentity(doc);
    const inDocument = this.entries.get(id) ?? this.entries.set(id, new Map()).get(id)!;
    const entry = serviceEntryOf(model, obj);
    const fresh: CachedFindings = {
      start: doc.range.start, key: this.key(entry, obj), service: entry?.service, ports: entry?.ports,
      endpoints: endpointObjects(entry), drafts: undefined, values: new Map(),
    };
    inDocument.set(obj.basePath.join('/'), fresh);
    return fresh;
  }

  get(file: ManifestFile, obj: ManifestObject<'Service'>, model: ClusterModel): Draft[] | undefined {
    const hit = this.valid(file, obj, model);
    if (!hit?.drafts) return undefined;
    const doc = file.documents[obj.documentIndex]!;
    const dOffset = doc.range.start.offset - hit.start.offset;
    const dLine = doc.range.start.line - hit.start.line;
    if (dOffset === 0) return hit.drafts;
    return hit.drafts.map(d => ({ ...d, range: moveRange(d.range, dOffset, dLine), fixes: d.fixes.map(f => ({ ...f, edits: f.edits.map(e => ({ ...e, range: moveRange(e.range, dOffset, dLine) })) })) }));
  }

  put(file: ManifestFile, obj: ManifestObject<'Service'>, model: ClusterModel, drafts: Draft[]): Draft[] {
    const record = this.record(file, obj, model);
    if (record) {
      record.drafts = drafts;
      record.start = file.documents[obj.documentIndex]!.range.start;
    }
    return drafts;
  }

  /**
   * Another value computed from a Service and what it depends on (e.g. its CodeLens title), reused
   * under the same conditions as its findings. The value must not hold source positions.
   */
  memo<T>(file: ManifestFile, obj: ManifestObject<'Service'>, model: ClusterModel, slot: string, compute: () => T): T {
    const record = this.record(file, obj, model);
    if (!record) return compute();
    if (record.values.has(slot)) return record.values.get(slot) as T;
    const value = compute();
    record.values.set(slot, value);
    return value;
  }
}

interface CachedFindings {
  /** Where the document started when the drafts were made (their ranges are relative to it). */
  start: { offset: number; line: number };
  readonly key: string;
  /** The model's objects it was computed from: the same ones again need no comparison. */
  readonly service: unknown;
  readonly ports: unknown;
  /** The endpoints of each port that came from EndpointSlices or Endpoints (null: derived from workloads). */
  readonly endpoints: readonly (readonly unknown[] | null)[];
  drafts: Draft[] | undefined;
  readonly values: Map<string, unknown>;
}

function endpointObjects(entry: ServiceEntry | undefined): (readonly unknown[] | null)[] {
  return entry?.ports.map(p => (p.endpointOrigin === 'EndpointSlice' || p.endpointOrigin === 'Endpoints' ? p.endpoints : null)) ?? [];
}

function sameEndpoints(a: readonly (readonly unknown[] | null)[], b: readonly (readonly unknown[] | null)[]): boolean {
  return a.length === b.length && a.every((x, i) => {
    const y = b[i];
    if (x === y) return true;
    return x !== null && y !== null && y !== undefined && x.length === y.length && x.every((ep, j) => JSON.stringify(ep) === JSON.stringify(y[j]));
  });
}

function moveRange(r: SourceRange, dOffset: number, dLine: number): SourceRange {
  const move = (p: SourceRange['start']) => ({ offset: p.offset + dOffset, line: p.line + dLine, character: p.character });
  return { start: move(r.start), end: move(r.end) };
}

// ---------------------------------------------------------------------------------------------
// Suppression comments: "# natlens-disable-next-line rule[, rule]" and "# natlens-disable-file [rule...]"

export const DISABLE_NEXT_LINE = 'natlens-disable-next-line';
export const DISABLE_FILE = 'natlens-disable-file';

function suppressions(text: string, index: LineIndex): { file: Set<string>; lines: Map<number, Set<string>> } {
  const file = new Set<string>();
  const lines = new Map<number, Set<string>>();
  // most files have none: one substring search instead of a regex over every "#"
  if (!text.includes('natlens-disable-')) return { file, lines };
  const re = /#\s*(natlens-disable-next-line|natlens-disable-file)\b([^\n]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const ids = m[2]!.split(/[\s,]+/).filter(Boolean);
    const set = ids.length ? new Set(ids) : new Set(['*']);
    if (m[1] === DISABLE_FILE) { for (const id of set) file.add(id); continue; }
    const line = index.position(m.index).line + 1; // 0-based index of the next line
    lines.set(line, new Set([...(lines.get(line) ?? []), ...set]));
  }
  return { file, lines };
}

/** The edit that suppresses one rule on one line: a comment line above it, at its indentation. */
export function disableForLineEdit(file: ManifestFile, line: number, rule: RuleId): TextEdit {
  const start = file.lines.offsetAt(line, 0);
  const indent = /^[ \t]*(- )?/.exec(file.text.slice(start))![0].replace('- ', '  ').replace(/\S/g, ' ');
  return { range: file.lines.range(start, start), newText: `${indent}# ${DISABLE_NEXT_LINE} ${rule}\n` };
}

/** "Preserve client IP" / "Balance across all nodes" refactors for a Service (offered anywhere in it). */
export function policyRefactors(obj: ManifestObject<'Service'>): Fix[] {
  const svc = obj.object;
  if (!externallyAccessible(svc)) return [];
  const current = defaultService(svc).externalTrafficPolicy;
  const fixes: Fix[] = [];
  const make = (value: 'Local' | 'Cluster', title: string) => {
    const e = setField(obj, ['spec'], 'externalTrafficPolicy', value);
    if (e) fixes.push({ title, edits: [e], preferred: false, kind: 'refactor' });
  };
  if (current !== 'Local') make('Local', 'Preserve client IP (externalTrafficPolicy: Local): no SNAT, but only nodes with a ready local endpoint serve external traffic');
  if (current !== 'Cluster') make('Cluster', 'Balance across all nodes (externalTrafficPolicy: Cluster): even spread, but pods see a node address, not the client');
  return fixes;
}
