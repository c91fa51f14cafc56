import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, ofKind } from '../../extension/src/engine/manifest/manifest';

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
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: "😀x"\n  namespace: ns\nspec:\n  clusterIP: 10.0.0.1\n';
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

test("CNI objects the egress model reads are not reported as unknown", () => {
  const f = parseManifest(`apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.244.0.0/16, natOutgoing: true}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ip-masq-agent, namespace: kube-system}\n`, "cni.yaml");
  assert.deepEqual(f.problems, []);
});

test('merge keys are honoured as Kubernetes does', () => {
  const f = parseManifest(`base: &b {port: 80, protocol: UDP}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: m}\nspec:\n  clusterIP: 10.0.0.9\n  ports:\n    - <<: {port: 80, protocol: UDP}\n      name: dns\n`, 'm.yaml');
  const svc = ofKind(f.objects, 'Service')[0]!;
  assert.deepEqual(svc.object.spec?.ports?.[0], { port: 80, protocol: 'UDP', name: 'dns' });
});
