import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest, ofKind, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { documentIdentity } from '../../extension/src/engine/manifest/yamlAdapter';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile, FindingsCache } from '../../extension/src/engine/findings/analyze';

const SERVICE = `# a comment
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: NodePort
  ports:
    - name: http
      port: 80
      nodePort: 30080
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
`;

test('multi-document YAML gives typed objects with exact field ranges', () => {
  const f = parseManifest(SERVICE, 'svc.yaml');
  assert.deepEqual(f.problems, []);
  assert.deepEqual(f.objects.map(o => `${o.kind} ${o.namespace}/${o.name}`), ['Service shop/web', 'Deployment shop/web']);
  const svc = ofKind(f.objects, 'Service')[0]!;
  assert.equal(svc.object.spec?.ports?.[0]?.nodePort, 30080);
  const value = svc.rangeOf(['spec', 'ports', 0, 'nodePort'])!;
  assert.deepEqual([value.start.line, value.start.character, value.end.line, value.end.character], [11, 16, 11, 21]);
  assert.equal(SERVICE.slice(value.start.offset, value.end.offset), '30080');
  const key = svc.rangeOf(['spec', 'type'], 'key')!;
  assert.equal(SERVICE.slice(key.start.offset, key.end.offset), 'type');
  assert.equal(svc.rangeOf(['spec', 'nothing']), undefined);
});

test('offsets are UTF-16 code units, as VS Code counts them', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  labels: {a: "😀x"}\n  namespace: ns\nspec:\n  clusterIP: 10.0.0.1\n';
  const svc = parseManifest(text, 'u.yaml').objects[0]!;
  const r = svc.rangeOf(['metadata', 'namespace'])!;
  assert.equal(text.slice(r.start.offset, r.end.offset), 'ns');
  const ip = svc.rangeOf(['spec', 'clusterIP'])!;
  assert.deepEqual([ip.start.line, ip.start.character], [6, 13]);
});

test('JSON and kind: List are read; List items keep their own ranges', () => {
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' }, spec: { clusterIP: '10.0.0.2', ports: [{ port: 81 }] } },
  ] }, null, 2);
  const f = parseManifest(json, 'list.json');
  assert.deepEqual(f.objects.map(o => `${o.namespace}/${o.name}`), ['default/a', 'default/b']);
  const r = f.objects[1]!.rangeOf(['spec', 'clusterIP'])!;
  assert.equal(json.slice(r.start.offset, r.end.offset), '"10.0.0.2"');
  assert.deepEqual(f.objects[1]!.basePath, ['items', 1]);
});

test('broken YAML is reported with its location and the other documents still work', () => {
  const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: good\nspec:\n  clusterIP: 10.0.0.1\n---\nkind: Service\nmetadata: [unclosed\n---\napiVersion: v1\nkind: Service\nmetadata: {name: also-good}\n`;
  const f = parseManifest(text, 'b.yaml');
  assert.deepEqual(f.objects.map(o => o.name), ['good', 'also-good']);
  const errors = f.problems.filter(p => p.severity === 'error');
  assert.ok(errors.length >= 1);
  assert.ok(errors.every(e => e.range.start.line >= 7 && e.range.start.line <= 9), JSON.stringify(errors));
  assert.match(errors[0]!.message, /^YAML: /);
});

test('Helm template syntax is named and its document skipped', () => {
  const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: plain}\n`;
  const f = parseManifest(text, 'chart.yaml');
  assert.deepEqual(f.objects.map(o => o.name), ['plain']);
  const helm = f.problems.find(p => p.code === 'helm-template')!;
  assert.match(helm.message, /helm template/);
  assert.deepEqual([helm.range.start.line, helm.range.start.character], [3, 8]);
});

test('an alias bomb is refused quickly with a message, not expanded', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i), cur = String.fromCharCode(97 + i);
    levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map(l => '  ' + l).join('\n')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: fine}\n`;
  const start = performance.now();
  const f = parseManifest(text, 'bomb.yaml');
  assert.ok(performance.now() - start < 2000);
  assert.deepEqual(f.objects.map(o => o.name), ['fine']);
  assert.ok(f.problems.some(p => /alias/i.test(p.message) && p.severity === 'error'));
});

test('huge input gets one clear problem instead of a parse', () => {
  const f = parseManifest('x'.repeat(2048), 'big.yaml', { maxBytes: 1024 });
  assert.equal(f.objects.length, 0);
  assert.equal(f.problems[0]!.code, 'input-too-large');
});

test('unknown kinds and non-objects are noted, never thrown', () => {
  const f = parseManifest(`apiVersion: v1\nkind: Secret\nmetadata: {name: c}\n---\njust a string\n---\n- 1\n---\napiVersion: v9\nkind: Service\n`, 'x.yaml');
  assert.equal(f.objects.length, 0);
  assert.deepEqual(f.problems.map(p => p.code).sort(), ['not-an-object', 'not-an-object', 'unknown-api-version', 'unknown-kind']);
});

test('CNI objects the egress model reads are not reported as unknown', () => {
  const f = parseManifest(`apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/16, natOutgoing: true}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n`, 'cni.yaml');
  assert.deepEqual(f.problems, []);
});

test('merge keys are honoured as Kubernetes does', () => {
  const f = parseManifest(`base: &b {port: 80, protocol: UDP}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: m}\nspec:\n  clusterIP: 10.0.0.9\n  ports:\n    - <<: {port: 80, protocol: UDP}\n      name: dns\n`, 'm.yaml');
  const svc = ofKind(f.objects, 'Service')[0]!;
  assert.deepEqual(svc.object.spec?.ports?.[0], { port: 80, protocol: 'UDP', name: 'dns' });
});

// ---------------------------------------------------------------------------------------------
// Incremental parsing (ParseOptions.previous) and the FindingsCache: after an edit, the reused
// documents must give exactly what a fresh parse and a fresh analysis give, ranges included.

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/findings/${name}`, import.meta.url), 'utf8');

const MULTI = [
  fixtureText('nat.yaml'),
  'apiVersion: v1\nkind: Service\nmetadata: [unclosed\n',
  fixtureText('invalid.yaml'),
  `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: listed-a, namespace: t}
    spec:
      clusterIP: 10.96.9.1
      externalTrafficPolicy: Local
      ports: [{name: http, port: 80}]
  - apiVersion: v1
    kind: Service
    metadata: {name: listed-b, namespace: t}
    spec:
      type: NodePort
      clusterIP: 10.96.9.2
      selector: {app: web}
      ports: [{name: http, port: 80, targetPort: http, nodePort: 30909}]
`,
].map(t => t.endsWith('\n') ? t : `${t}\n`).join('---\n');

/** Every field path of a plain value. */
function fieldPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...fieldPaths(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...fieldPaths(v, [...prefix, k])]);
  return [];
}

/** What a parse exposes: documents, objects with the range of every field, paths at every offset, problems. */
function snapshot(f: ManifestFile) {
  return {
    documents: f.documents.map(d => ({ index: d.index, range: d.range, text: d.text, value: d.value, problems: d.problems })),
    objects: f.objects.map(o => ({
      kind: o.kind, name: o.name, namespace: o.namespace, object: o.object, fileName: o.fileName, documentIndex: o.documentIndex, basePath: o.basePath, range: o.range,
      ranges: fieldPaths(o.object).map(p => [p.join('.'), o.rangeOf(p, 'key'), o.rangeOf(p, 'value')]),
      paths: Array.from({ length: f.text.length + 1 }, (_, i) => o.pathAt(i)?.join('.') ?? null),
    })),
    problems: f.problems,
  };
}

/** One-line edits, applied one after the other: each names the text it changes. */
const EDITS: [label: string, from: string, to: string][] = [
  ['insert a line in the first document', '  clusterIP: 10.96.1.1\n', '  clusterIP: 10.96.1.1\n  sessionAffinity: ClientIP\n'],
  ['lengthen a value in a middle document', '      port: 80\n      targetPort: web\n', '      port: 8080\n      targetPort: web\n'],
  ['rename a Service', 'metadata: {name: etp-on-clusterip, namespace: t}', 'metadata: {name: etp-on-cluster-ip, namespace: t}'],
  ['delete a line', '  healthCheckNodePort: 32013\n', ''],
  ['break a document', 'metadata: {name: orphan, namespace: t}', 'metadata: {name: orphan, namespace: t'],
  ['repair it', 'metadata: {name: orphan, namespace: t\n', 'metadata: {name: orphan, namespace: t}\n'],
  ['change a workload', '  replicas: 1\n', '  replicas: 2\n'],
  ['edit a List item', '      clusterIP: 10.96.9.2\n', '      clusterIP: 10.96.9.3\n'],
  ['add a comment line at the top', '# NAT consequences: one Service per rule.\n', '# edited\n# NAT consequences: one Service per rule.\n'],
  ['edit the last line', '30909}]\n', '30910}]\n'],
];

test('incremental parse after one-line edits equals a fresh parse, and unchanged documents are reused', () => {
  let text = MULTI;
  let previous = parseManifest(text, 'multi.yaml');
  assert.ok(previous.problems.some(p => p.code === 'yaml-syntax'), 'the broken document reports a problem');
  assert.equal(previous.documents.length, 17);
  assert.deepEqual(previous.objects.filter(o => o.basePath.length > 0).map(o => o.name), ['listed-a', 'listed-b']);
  for (const [label, from, to] of EDITS) {
    assert.equal(text.split(from).length, 2, `${label}: ${JSON.stringify(from)} occurs once`);
    const next = text.replace(from, to);
    const at = text.indexOf(from);
    const incremental = parseManifest(next, 'multi.yaml', { previous });
    const fresh = parseManifest(next, 'multi.yaml');
    assert.deepEqual(snapshot(incremental), snapshot(fresh), label);
    // only the edited document is parsed again; the others are the same parse, moved when after the edit
    assert.equal(incremental.documents.length, previous.documents.length, label);
    const reparsed = incremental.documents.filter((d, i) => documentIdentity(d) !== documentIdentity(previous.documents[i]!));
    assert.equal(reparsed.length, 1, label);
    assert.ok(reparsed[0]!.range.start.offset <= at + to.length && reparsed[0]!.range.end.offset + 1 >= at, `${label}: the document parsed again holds the edit`);
    const shift = to.length - from.length;
    for (const d of incremental.documents.filter(x => x.range.start.offset > at + to.length)) {
      assert.equal(d.range.start.offset, previous.documents[d.index]!.range.start.offset + shift, label);
    }
    assert.equal(incremental.objects.length, label === 'break a document' ? 16 : 17, label);
    text = next;
    previous = incremental;
  }
});


/** The profile, a FindingsCache, and the names of the Services its get() answered from the cache. */
function spiedCache() {
  const profile = parseProfile(readFileSync(new URL('../../examples/cluster.yaml', import.meta.url), 'utf8')).profile;
  const cache = new FindingsCache();
  const hits: string[] = [];
  const get = cache.get.bind(cache);
  cache.get = (file, obj, model) => {
    const hit = get(file, obj, model);
    if (hit) hits.push(obj.name);
    return hit;
  };
  return { profile, cache, hits };
}

test('analyzeFile with a FindingsCache gives exactly the findings of an uncached analysis after each edit', () => {
  const { profile, cache, hits } = spiedCache();
  let text = MULTI;
  let previous = parseManifest(text, 'multi.yaml');
  const first = analyzeFile(previous, buildClusterModel(previous.objects, profile), {}, cache);
  assert.deepEqual(first, analyzeFile(previous, buildClusterModel(previous.objects, profile)));
  assert.ok(first.length > 20);
  hits.length = 0;
  for (const [label, from, to] of EDITS) {
    const next = text.replace(from, to);
    const incremental = parseManifest(next, 'multi.yaml', { previous });
    const fresh = parseManifest(next, 'multi.yaml');
    const cached = analyzeFile(incremental, buildClusterModel(incremental.objects, profile), {}, cache);
    const uncached = analyzeFile(fresh, buildClusterModel(fresh.objects, profile));
    assert.deepEqual(cached, uncached, label);
    // the ranges point at the same text in the new version
    for (const f of cached) assert.ok(f.range.end.offset <= next.length && f.range.start.offset >= 0, label);
    text = next;
    previous = incremental;
  }
  // the cache was really used (all but the edited Service per edit, except after the workload edit)
  assert.ok(hits.length > 50, `cache hits: ${hits.length}`);
});

test('after an edit, the reused findings of later documents point at the same text, shifted', () => {
  const { profile, cache, hits } = spiedCache();
  const before = parseManifest(MULTI, 'multi.yaml');
  const a = analyzeFile(before, buildClusterModel(before.objects, profile), {}, cache);
  const next = MULTI.replace('  clusterIP: 10.96.1.1\n', '  clusterIP: 10.96.1.1\n  # one more line\n');
  const after = parseManifest(next, 'multi.yaml', { previous: before });
  hits.length = 0;
  const b = analyzeFile(after, buildClusterModel(after.objects, profile), {}, cache);
  // every Service but the edited first one comes from the cache, the items of a List included
  assert.deepEqual(hits, ofKind(after.objects, 'Service').map(s => s.name).filter(n => n !== 'cluster-policy'));
  assert.deepEqual(b, analyzeFile(after, buildClusterModel(after.objects, profile)));
  assert.equal(b.length, a.length);
  const shift = '  # one more line\n'.length;
  a.forEach((f, i) => {
    const g = b[i]!;
    assert.equal(g.rule, f.rule);
    const later = f.range.start.offset > MULTI.indexOf('  clusterIP: 10.96.1.1\n');
    assert.deepEqual(
      [g.range.start.line, g.range.start.character, g.range.end.line, g.range.end.character, g.range.start.offset, g.range.end.offset],
      [f.range.start.line + (later ? 1 : 0), f.range.start.character, f.range.end.line + (later ? 1 : 0), f.range.end.character, f.range.start.offset + (later ? shift : 0), f.range.end.offset + (later ? shift : 0)],
      `${f.service} ${f.rule}`);
    assert.equal(next.slice(g.range.start.offset, g.range.end.offset), MULTI.slice(f.range.start.offset, f.range.end.offset));
    g.fixes.forEach((fix, j) => fix.edits.forEach((e, k) => {
      const old = f.fixes[j]!.edits[k]!;
      assert.equal(next.slice(e.range.start.offset, e.range.end.offset), MULTI.slice(old.range.start.offset, old.range.end.offset));
      assert.equal(e.newText, old.newText);
    }));
  });
});

test('the Services of a kind: List document are reused from the FindingsCache too', () => {
  const { profile, cache, hits } = spiedCache();
  const before = parseManifest(MULTI, 'multi.yaml');
  analyzeFile(before, buildClusterModel(before.objects, profile), {}, cache);
  const after = parseManifest(MULTI.replace('  clusterIP: 10.96.1.1\n', '  clusterIP: 10.96.1.1\n  # one more line\n'), 'multi.yaml', { previous: before });
  analyzeFile(after, buildClusterModel(after.objects, profile), {}, cache);
  assert.deepEqual(hits.filter(n => n.startsWith('listed-')), ['listed-a', 'listed-b']);
});

test('a kind named like an Object.prototype member is an unknown kind, not a prototype lookup', () => {
  for (const kind of ['__proto__', 'constructor', 'toString']) {
    const file = parseManifest(`apiVersion: v1\nkind: ${kind}\nmetadata: {name: x}\n`, 'x.yaml');
    const messages = file.problems.map(p => p.message);
    assert.deepEqual(file.problems.map(p => p.code), ['unknown-kind'], messages.join('\n'));
    assert.ok(!messages.some(m => m.includes('[object Object]') || m.includes('function')), messages.join('\n'));
  }
});
