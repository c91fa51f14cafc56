// Where a Service in the files and the same Service in the live cluster disagree on what decides its
// NAT (type, traffic policies, affinity, selector, ports): the workspace says Local, the cluster says
// Cluster. Both sides are compared after the API server's defaults, so an omitted field that defaults
// to the live value is no difference; allocations the manifest leaves out (clusterIP, nodePort) are
// none either.
import { ofKind, type AnyManifestObject, type ManifestObject } from '../manifest/manifest';
import type { FieldPath, SourceRange } from '../manifest/source';
import { defaultService } from '../model/service';

export interface LiveDifference {
  /** "namespace/name" of the Service. */
  readonly service: string;
  /** The field, as a path from the object ("spec.externalTrafficPolicy", "spec.ports[0].targetPort"). */
  readonly field: string;
  readonly range: SourceRange;
  /** The value each side has, as text ("Local", "(none)"). */
  readonly manifest: string;
  readonly live: string;
}

const text = (v: unknown) => (v === undefined || v === null ? '(none)' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function liveDifferences(objects: readonly AnyManifestObject[], live: readonly AnyManifestObject[]): LiveDifference[] {
  const liveByKey = new Map(ofKind(live, 'Service').map(s => [`${s.namespace}/${s.name}`, s]));
  const out: LiveDifference[] = [];
  for (const obj of ofKind(objects, 'Service')) {
    const key = `${obj.namespace}/${obj.name}`;
    const other = liveByKey.get(key);
    if (!other) continue;
    const mine = defaultService(obj.object), theirs = defaultService(other.object);
    const add = (path: FieldPath, a: unknown, b: unknown) => {
      if (text(a) === text(b)) return;
      out.push({ service: key, field: fieldName(path), range: rangeFor(obj, path), manifest: text(a), live: text(b) });
    };
    add(['spec', 'type'], mine.type, theirs.type);
    add(['spec', 'externalTrafficPolicy'], mine.externalTrafficPolicy, theirs.externalTrafficPolicy);
    add(['spec', 'internalTrafficPolicy'], mine.internalTrafficPolicy, theirs.internalTrafficPolicy);
    add(['spec', 'sessionAffinity'], mine.sessionAffinity, theirs.sessionAffinity);
    add(['spec', 'selector'], mine.selector, theirs.selector);
    if (mine.clusterIPs[0] !== undefined) add(['spec', 'clusterIP'], mine.clusterIPs[0], theirs.clusterIPs[0]);
    mine.ports.forEach((p, i) => {
      // the same port of the live object: by name, else by position
      const q = theirs.ports.find(x => p.name !== '' && x.name === p.name) ?? theirs.ports[i];
      if (!q) { add(['spec', 'ports', i], `${p.port}/${p.protocol}`, undefined); return; }
      add(['spec', 'ports', i, 'port'], p.port, q.port);
      add(['spec', 'ports', i, 'protocol'], p.protocol, q.protocol);
      add(['spec', 'ports', i, 'targetPort'], p.targetPort, q.targetPort);
      if (p.nodePort) add(['spec', 'ports', i, 'nodePort'], p.nodePort, q.nodePort);
    });
    for (const [i, q] of theirs.ports.entries()) {
      if (!mine.ports.some((p, j) => (p.name !== '' && p.name === q.name) || j === i)) add(['spec', 'ports'], undefined, `${q.port}/${q.protocol}`);
    }
  }
  return out;
}

function fieldName(path: FieldPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The field's value, else the nearest enclosing field the manifest has, else the object's kind. */
function rangeFor(obj: ManifestObject<'Service'>, path: FieldPath): SourceRange {
  for (let n = path.length; n > 0; n--) {
    const r = obj.rangeOf(path.slice(0, n), n === path.length ? 'value' : 'key');
    if (r) return r;
  }
  return obj.rangeOf(['kind'], 'value') ?? obj.range;
}
