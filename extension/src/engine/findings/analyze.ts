// Diagnostics for the Services of one manifest file: the API server's own validation (same
// conditions and wording: pkg/apis/core/validation/validation.go) and what kube-proxy's NAT will do
// to the Service's traffic, quoted from walks over the generated rules.
import type { Service } from 'kubernetes-types/core/v1';
import { ofKind, type ManifestFile, type ManifestObject } from '../manifest/manifest';
import { documentIdentity } from '../manifest/yamlAdapter';
import type { SourceRange } from '../manifest/source';
import type { ClusterModel, ServiceEntry } from '../model/cluster';
import { defaultService, externallyAccessible, type DefaultedService } from '../model/service';
import { parseCIDR } from '../util/ip';
import { walkerFor, type Walker, type WalkResult } from '../walk/walk';
import { EXTERNAL_CLIENT_IP } from '../walk/choices';
import { RULES, type FindingSeverity, type RuleId } from './catalog';
import { addField, removeField, replaceValue, setField, type TextEdit } from './edits';
import { policyFindings } from './policy';

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  readonly preferred: boolean;
  readonly kind: 'quickfix' | 'refactor';
}

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
}

type Draft = Omit<Finding, 'severity' | 'service'>;

const SESSION_AFFINITY_MAX = 86400;

/** Go field.Invalid value formatting: strings quoted, numbers bare. */
function v(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function analyzeFile(file: ManifestFile, model: ClusterModel, options: AnalyzeOptions = {}, cache?: FindingsCache): Finding[] {
  const suppressed = suppressions(file.text);
  const out: Finding[] = [];
  const report = (d: Draft, subject: string) => {
    const configured = options.severities?.[d.rule];
    if (configured === 'off' || suppressed.file.has('*') || suppressed.file.has(d.rule)) return;
    const lineRules = suppressed.lines.get(d.range.start.line);
    if (lineRules && (lineRules.has('*') || lineRules.has(d.rule))) return;
    out.push({ ...d, severity: configured ?? RULES[d.rule].severity, service: subject });
  };
  cache?.begin(model);
  for (const obj of ofKind(file.objects, 'Service')) {
    const drafts = cache?.get(file, obj, model) ?? cache?.put(file, obj, model, analyzeService(obj, file, model)) ?? analyzeService(obj, file, model);
    for (const d of drafts) report(d, `${obj.namespace}/${obj.name}`);
  }
  for (const { subject, ...d } of policyFindings(file, model, options.workspace)) report(d, subject);
  return out;
}

function analyzeService(obj: ManifestObject<'Service'>, file: ManifestFile, model: ClusterModel): Draft[] {
  const entry = serviceEntryOf(model, obj);
  // a Service's rules do not depend on other Services: walk a model that holds only this one
  const walker = entry ? walkerFor({ ...model, services: [entry] }) : null;
  return [...apiFindings(obj, file, model), ...(entry && walker ? natFindings(obj, entry, model, walker) : [])];
}

const entryIndex = new WeakMap<ClusterModel, Map<string, ServiceEntry>>();
const entryKey = (o: ManifestObject<'Service'>) => `${o.fileName}\u0000${o.documentIndex}\u0000${o.basePath.join('/')}\u0000${o.namespace}/${o.name}`;

/** The model's entry for a Service object of a file (indexed once per model). */
export function serviceEntryOf(model: ClusterModel, obj: ManifestObject<'Service'>): ServiceEntry | undefined {
  let index = entryIndex.get(model);
  if (!index) entryIndex.set(model, (index = new Map(model.services.map(s => [entryKey(s.obj), s]))));
  return index.get(entryKey(obj));
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

  /** Drops everything when what every Service depends on changed (the profile, a workload's selector or pods). */
  begin(model: ClusterModel): void {
    const context = [model.profile, ...model.workloads.map(w => w.obj.object)];
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
    const entry = serviceEntryOf(model, obj);
    return hit && hit.key === this.key(entry, obj) && sameEndpoints(hit.endpoints, endpointObjects(entry)) ? hit : undefined;
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
    const fresh: CachedFindings = { start: doc.range.start, key: this.key(entry, obj), endpoints: endpointObjects(entry), drafts: undefined, values: new Map() };
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

function suppressions(text: string): { file: Set<string>; lines: Map<number, Set<string>> } {
  const file = new Set<string>();
  const lines = new Map<number, Set<string>>();
  const re = /#\s*(natlens-disable-next-line|natlens-disable-file)\b([^\n]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const ids = m[2]!.split(/[\s,]+/).filter(Boolean);
    const set = ids.length ? new Set(ids) : new Set(['*']);
    if (m[1] === DISABLE_FILE) { for (const id of set) file.add(id); continue; }
    const line = text.slice(0, m.index).split('\n').length; // 0-based index of the next line
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

// ---------------------------------------------------------------------------------------------
// What the API server would reject

function apiFindings(obj: ManifestObject<'Service'>, file: ManifestFile, model: ClusterModel): Draft[] {
  const svc = obj.object as Service;
  const spec = svc.spec ?? {};
  const d = defaultService(svc);
  const out: Draft[] = [];
  const at = (path: (string | number)[], part: 'key' | 'value' = 'value') => obj.rangeOf(path, part) ?? obj.rangeOf(['spec'], 'key') ?? obj.range;
  const remove = (title: string, path: (string | number)[], preferred = true): Fix[] => {
    const e = removeField(obj, file.lines, path);
    return e ? [{ title, edits: [e], preferred, kind: 'quickfix' }] : [];
  };
  const setType = (type: string): Fix[] => {
    const e = setField(obj, ['spec'], 'type', type);
    return e ? [{ title: `Change type to ${type}`, edits: [e], preferred: false, kind: 'quickfix' }] : [];
  };

  for (const [field, value] of [['externalTrafficPolicy', spec.externalTrafficPolicy], ['internalTrafficPolicy', spec.internalTrafficPolicy]] as const) {
    if (value !== undefined && value !== 'Cluster' && value !== 'Local') {
      const close = String(value).toLowerCase().startsWith('l') ? 'Local' : 'Cluster';
      const e = replaceValue(obj, ['spec', field], close);
      out.push({
        rule: 'policy-value', range: at(['spec', field]),
        message: `spec.${field}: Unsupported value: ${v(value)}: supported values: "Cluster", "Local"`,
        fixes: e ? [{ title: `Use ${close}`, edits: [e], preferred: true, kind: 'quickfix' }] : [],
      });
    }
  }
  if (spec.externalTrafficPolicy !== undefined && !externallyAccessible(svc)) {
    out.push({
      rule: 'etp-not-external', range: at(['spec', 'externalTrafficPolicy']),
      message: `spec.externalTrafficPolicy: Invalid value: ${v(spec.externalTrafficPolicy)}: may only be set for externally-accessible services`,
      fixes: [...remove('Remove externalTrafficPolicy (it only applies to NodePort, LoadBalancer and externalIPs)', ['spec', 'externalTrafficPolicy']), ...setType('NodePort')],
    });
  }
  if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort !== 0 && !(d.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    out.push({
      rule: 'health-check-node-port-invalid', range: at(['spec', 'healthCheckNodePort']),
      message: `spec.healthCheckNodePort: Invalid value: ${v(spec.healthCheckNodePort)}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`,
      fixes: remove('Remove healthCheckNodePort', ['spec', 'healthCheckNodePort']),
    });
  }
  if (d.headless && (d.type === 'NodePort' || d.type === 'LoadBalancer')) {
    const path = spec.clusterIPs?.length ? ['spec', 'clusterIPs', 0] : ['spec', 'clusterIP'];
    out.push({
      rule: 'headless-external', range: at(path),
      message: `spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for ${d.type} services`,
      fixes: setType('ClusterIP'),
    });
  }
  const ranges = spec.loadBalancerSourceRanges;
  if (ranges !== undefined && ranges.length > 0) {
    if (d.type !== 'LoadBalancer') {
      out.push({
        rule: 'source-ranges-not-load-balancer', range: at(['spec', 'loadBalancerSourceRanges'], 'key'),
        message: "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        fixes: [...remove('Remove loadBalancerSourceRanges', ['spec', 'loadBalancerSourceRanges'], false), ...setType('LoadBalancer')],
      });
    } else {
      ranges.forEach((r, i) => {
        if (parseCIDR(String(r).trim()) === null) out.push({
          rule: 'source-range-not-cidr', range: at(['spec', 'loadBalancerSourceRanges', i]),
          message: `spec.LoadBalancerSourceRanges: Invalid value: "[${ranges.join(' ')}]": must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24`,
          fixes: [],
        });
      });
    }
  }
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (d.sessionAffinity === 'ClientIP' && timeout !== undefined && (timeout <= 0 || timeout > SESSION_AFFINITY_MAX)) {
    const e = replaceValue(obj, ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], '10800');
    out.push({
      rule: 'affinity-timeout-range', range: at(['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds']),
      message: `spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: ${timeout}: must be greater than 0 and less than ${SESSION_AFFINITY_MAX}`,
      fixes: e ? [{ title: 'Use the default, 10800 (3 hours)', edits: [e], preferred: true, kind: 'quickfix' }] : [],
    });
  }
  out.push(...portFindings(obj, file, model, d));
  return out;
}

function portFindings(obj: ManifestObject<'Service'>, file: ManifestFile, model: ClusterModel, d: DefaultedService): Draft[] {
  const out: Draft[] = [];
  const ports = obj.object.spec?.ports ?? [];
  const names = new Map<string, number>();
  const nodePorts = new Map<string, number>();
  const { min, max } = model.profile.nodePortRange;
  ports.forEach((p, i) => {
    const path = ['spec', 'ports', i];
    const portRange = obj.rangeOf([...path, 'port'], 'key') ?? obj.rangeOf(path) ?? obj.range;
    if (ports.length > 1 && !p?.name) {
      const e = addField(obj, path, 'name', `port-${p?.port ?? i}`);
      out.push({
        rule: 'port-name-required', range: portRange, message: `spec.ports[${i}].name: Required value`,
        fixes: e ? [{ title: `Name the port port-${p?.port ?? i}`, edits: [e], preferred: true, kind: 'quickfix' }] : [],
      });
    }
    if (p?.name) {
      if (names.has(p.name)) out.push({ rule: 'port-name-duplicate', range: obj.rangeOf([...path, 'name']) ?? portRange, message: `spec.ports[${i}].name: Duplicate value: ${v(p.name)}`, fixes: [] });
      names.set(p.name, i);
    }
    if (p?.nodePort !== undefined && p.nodePort !== 0) {
      const nodePortRange = obj.rangeOf([...path, 'nodePort']) ?? portRange;
      if (d.type === 'ClusterIP') {
        const e = removeField(obj, file.lines, [...path, 'nodePort']);
        out.push({
          rule: 'node-port-on-cluster-ip', range: nodePortRange,
          message: `spec.ports[${i}].nodePort: Forbidden: may not be used when \`type\` is 'ClusterIP'`,
          fixes: [
            ...(e ? [{ title: 'Remove nodePort', edits: [e], preferred: true, kind: 'quickfix' as const }] : []),
            ...(() => { const t = setField(obj, ['spec'], 'type', 'NodePort'); return t ? [{ title: 'Change type to NodePort', edits: [t], preferred: false, kind: 'quickfix' as const }] : []; })(),
          ],
        });
      } else if (p.nodePort < min || p.nodePort > max) {
        out.push({
          rule: 'node-port-range', range: nodePortRange,
          message: `spec.ports[${i}].nodePort: Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
          fixes: [],
        });
      }
      const key = `${p.protocol ?? 'TCP'}/${p.nodePort}`;
      if (nodePorts.has(key)) out.push({ rule: 'node-port-duplicate', range: nodePortRange, message: `spec.ports[${i}].nodePort: Duplicate value: ${p.nodePort}`, fixes: [] });
      nodePorts.set(key, i);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// What kube-proxy's NAT does to this Service, from walks over the generated rules

function seenText(r: WalkResult): string {
  if (r.sourceSeenByPod === null) return 'nothing (no endpoint is reached)';
  if (typeof r.sourceSeenByPod === 'string') return r.sourceSeenByPod;
  return Object.entries(r.sourceSeenByPod).map(([ep, ip]) => `${ip} (at ${ep})`).join(', ');
}

/** An external client connecting through each node: NodePort, else the first LB or external IP. */
export function externalWalks(entry: ServiceEntry, model: ClusterModel, walker: Walker, portIndex = 0): { node: string; result: WalkResult }[] {
  const sp = entry.ports[portIndex]?.info;
  if (!sp) return [];
  const target = sp.nodePort ? null : sp.loadBalancerVIPs[0] ?? sp.externalIPs[0] ?? null;
  if (!sp.nodePort && !target) return [];
  return model.profile.nodes.map(node => ({
    node: node.name,
    result: walker.trace({
      source: { kind: 'external', ip: EXTERNAL_CLIENT_IP }, entryNode: node.name, proto: sp.protocol.toLowerCase() as 'tcp',
      dst: target ?? walker.network.primaryIP(node), dport: target ? sp.port : sp.nodePort,
    }),
  }));
}

function natFindings(obj: ManifestObject<'Service'>, entry: ServiceEntry, model: ClusterModel, walker: Walker): Draft[] {
  const out: Draft[] = [];
  const svc = obj.object;
  const spec = svc.spec ?? {};
  const d = defaultService(svc);
  const at = (path: (string | number)[], part: 'key' | 'value' = 'value') => obj.rangeOf(path, part) ?? obj.rangeOf(['spec'], 'key') ?? obj.range;
  const etpRange = obj.rangeOf(['spec', 'externalTrafficPolicy']) ?? obj.rangeOf(['spec', 'type']) ?? at(['spec', 'externalIPs'], 'key');
  const setPolicy = (value: 'Local' | 'Cluster', title: string, preferred: boolean): Fix[] => {
    const e = setField(obj, ['spec'], 'externalTrafficPolicy', value);
    return e ? [{ title, edits: [e], preferred, kind: 'quickfix' }] : [];
  };

  if (entry.ports.length > 0 && externallyAccessible(svc)) {
    const walks = externalWalks(entry, model, walker);
    const masqueraded = walks.filter(w => w.result.verdict === 'DNAT' && w.result.masquerade);
    if (d.externalTrafficPolicy !== 'Local' && masqueraded.length > 0) {
      out.push({
        rule: 'client-ip-lost', range: etpRange,
        message: `Client IP lost: with externalTrafficPolicy Cluster, external connections are masqueraded on the node they enter, before an endpoint is chosen, even when that endpoint is on the same node: ` +
          masqueraded.map(w => `entering ${w.node}, the pod sees ${seenText(w.result)}`).join('; ') + `; never ${EXTERNAL_CLIENT_IP}, the client.`,
        fixes: setPolicy('Local', 'Preserve client IP: set externalTrafficPolicy: Local (only nodes with a ready local endpoint answer)', false),
      });
    }
    if (d.externalTrafficPolicy === 'Local' && walks.length > 0) {
      const dropping = walks.filter(w => w.result.verdict === 'DROP' || w.result.verdict === 'REJECT');
      // IPVS mode: no local endpoint falls back to the other nodes' endpoints, unmasqueraded, and the walk
      // finds the reply cannot come back through the node that translated it
      const unanswered = walks.filter(w => w.result.verdict === 'DNAT' && w.result.outcomes.every(o => o.verdict !== 'DNAT' || o.replyBroken));
      const serving = walks.filter(w => w.result.verdict === 'DNAT' && !unanswered.includes(w));
      const counts = serving.map(w => `${w.node}: ${w.result.endpoints.length}`);
      const uneven = new Set(serving.map(w => w.result.endpoints.length)).size > 1;
      const nodes = (ws: typeof walks) => `${ws.map(w => w.node).join(', ')} ${ws.length === 1 ? 'has' : 'have'} none`;
      if (dropping.length > 0 || unanswered.length > 0 || uneven) {
        out.push({
          rule: 'local-policy-imbalance', range: etpRange,
          message: `externalTrafficPolicy Local: each node sends external traffic only to its own ready endpoints. ` +
            (dropping.length ? `${nodes(dropping)} and ${dropping.length === 1 ? 'drops' : 'drop'} connections (${dropping[0]!.result.verdict} in ${dropping[0]!.result.outcomes[0]?.hops.at(-1)?.chain}); ` : '') +
            (unanswered.length ? `${nodes(unanswered)}: IPVS mode then sends the connection to another node's endpoint without SNAT (kubernetes/kubernetes#97081), whose reply does not come back through ${unanswered.map(w => w.node).join(', ')}, so the connection fails; ` : '') +
            (serving.length ? `endpoints per node: ${counts.join(', ')}${uneven ? ', so a node with fewer endpoints loads each of them more' : ''}.` : 'no node has a local endpoint.') +
            (d.type === 'LoadBalancer' ? ' A cloud load balancer that honours the health check node port skips the nodes without endpoints.' : ''),
          fixes: setPolicy('Cluster', 'Balance across all nodes: set externalTrafficPolicy: Cluster (client IP is lost to SNAT)', false),
        });
      }
    }
    if (d.sessionAffinity === 'ClientIP' && d.externalTrafficPolicy !== 'Local') {
      out.push({
        rule: 'affinity-behind-snat', range: at(['spec', 'sessionAffinity']),
        message: 'Session affinity is kept per node and per source address: a client that a load balancer sends through several nodes can stick to a different endpoint on each, and every client behind one NAT or proxy address sticks to the same endpoint.',
        fixes: [],
      });
    }
  }

  if (spec.internalTrafficPolicy === 'Local' && entry.ports.length > 0) {
    const sp = entry.ports[0]!.info;
    const walks = model.profile.nodes.map(node => ({
      node: node.name,
      result: walker.trace({ source: { kind: 'node', node: node.name }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' }),
    }));
    // iptables and nftables mode DROP; IPVS mode has a virtual server without real servers, which REJECTs
    const dropping = walks.filter(w => w.result.verdict === 'DROP' || w.result.verdict === 'REJECT');
    if (dropping.length > 0) {
      const last = dropping[0]!.result.outcomes[0]?.hops.at(-1);
      out.push({
        rule: 'internal-local-dropped', range: at(['spec', 'internalTrafficPolicy']),
        message: `internalTrafficPolicy Local: clients on ${dropping.map(w => w.node).join(', ')} have no local endpoint, and their connections to ${sp.clusterIP}:${sp.port} are ${dropping[0]!.result.verdict === 'REJECT' ? 'refused' : 'dropped'} (${dropping[0]!.result.verdict} in ${last?.table} ${last?.chain}), not sent to another node.`,
        fixes: [],
      });
    }
  }

  const selector = d.selector;
  const hasEndpointObjects = entry.ports.some(p => p.endpointOrigin === 'EndpointSlice' || p.endpointOrigin === 'Endpoints');
  if (selector && Object.keys(selector).length > 0 && !hasEndpointObjects && entry.selectedWorkloads.length === 0 && model.workloads.length > 0 && entry.ports.length > 0) {
    const sp = entry.ports[0]!.info;
    const r = walker.trace({ source: { kind: 'node', node: model.profile.nodeName }, dst: sp.clusterIP, dport: sp.port, proto: sp.protocol.toLowerCase() as 'tcp' });
    out.push({
      rule: 'selector-matches-nothing', range: at(['spec', 'selector'], 'key'),
      message: `No workload in the workspace matches the selector ${Object.entries(selector).map(([k, val]) => `${k}=${val}`).join(',')}: the Service has no endpoints` +
        (r.verdict === 'REJECT' ? ', and kube-proxy REJECTs connections to it: clients see "connection refused".' : '.'),
      fixes: [],
    });
  }

  for (const port of entry.ports) {
    const sp = port.info;
    if (port.endpointOrigin !== 'derived' && port.endpointOrigin !== 'none') continue;
    for (const w of entry.selectedWorkloads) {
      const named = typeof sp.targetPort === 'string';
      const exposed = named ? w.ports.some(p => p.name === sp.targetPort && p.protocol === sp.protocol) : w.ports.some(p => p.containerPort === sp.targetPort && p.protocol === sp.protocol);
      if (exposed || (!named && w.ports.length === 0)) continue;
      const path = ['spec', 'ports', sp.portIndex, 'targetPort'];
      out.push({
        rule: 'target-port-not-exposed', range: obj.rangeOf(path) ?? at(['spec', 'ports', sp.portIndex]),
        message: named
          ? `No container of ${w.obj.kind}/${w.obj.name} has a port named ${JSON.stringify(sp.targetPort)} (${sp.protocol}): its pods are left out of the Service's endpoints.`
          : `${w.obj.kind}/${w.obj.name} declares container ports ${w.ports.map(p => `${p.containerPort}/${p.protocol}`).join(', ')} but not ${sp.targetPort}/${sp.protocol}: connections are DNATed to port ${sp.targetPort} of its pods, and refused there if nothing listens.`,
        fixes: (() => {
          const candidates = w.ports.filter(p => p.protocol === sp.protocol);
          if (candidates.length !== 1) return [];
          const c = candidates[0]!;
          const e = replaceValue(obj, path, named && c.name ? c.name : String(c.containerPort));
          return e ? [{ title: `Use ${named && c.name ? c.name : c.containerPort}, the port ${w.obj.kind}/${w.obj.name} exposes`, edits: [e], preferred: true, kind: 'quickfix' as const }] : [];
        })(),
      });
    }
  }

  if ((spec.externalIPs?.length ?? 0) > 0) {
    out.push({
      rule: 'external-ips-risk', range: at(['spec', 'externalIPs'], 'key'),
      message: `kube-proxy captures ${spec.externalIPs!.join(', ')} on every node, for pods and nodes too: whoever may set externalIPs can intercept traffic to any address (CVE-2020-8554). Clusters often block the field with an admission policy.`,
      fixes: [],
    });
  }
  return out;
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
  if (current !== 'Local') make('Local', 'Preserve client IP (externalTrafficPolicy: Local): no SNAT, but nodes without a ready endpoint drop external traffic');
  if (current !== 'Cluster') make('Cluster', 'Balance across all nodes (externalTrafficPolicy: Cluster): even spread, but pods see a node address, not the client');
  return fixes;
}
