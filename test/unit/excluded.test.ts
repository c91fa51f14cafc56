// Objects the engine leaves out or cuts, and says so at their place: a workload over the pod limit,
// a kind it ignores, a document that is no object, and an object the model cannot take (isolate.ts),
// through `natlens check` and through what the extension's diagnostics are built from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { parseManifest, type AnyManifestObject } from '../../extension/src/engine/manifest/manifest';
import { DEFAULT_PROFILE } from '../../extension/src/engine/model/profile';
import { MAX_TOTAL_PODS } from '../../extension/src/engine/model/cluster';
import { buildIsolatedModel, notModelledProblem } from '../../extension/src/engine/model/isolate';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
const BIG = `apiVersion: apps/v1
kind: Deployment
metadata: {name: big}
spec:
  replicas: 20000
  selector: {matchLabels: {app: batch}}
  template:
    metadata: {labels: {app: batch}}
    spec: {containers: [{name: c, ports: [{containerPort: 8080}]}]}
`;
const UNKNOWN = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: front}
spec: {}
`;

function inDir<T>(files: Record<string, string>, f: (path: (name: string) => string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-excluded-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return f(name => join(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Reported { file: string; line: number; column: number; severity: string; code: string; message: string }

test('natlens check: a workload over the pod limit is a warning at its replicas field; the Service beside it is still analysed', () => {
  inDir({ 'app.yaml': `${SERVICE}---\n${BIG}` }, path => {
    const r = runCli(['check', '--format', 'json', path('app.yaml')]);
    // SERVICE is 7 lines and the separator one: spec.replicas is line 13, its value at column 13
    assert.equal(r.err.split('\n')[0], `${path('app.yaml')}:13:13: warning: Deployment default/big asks for 20000 pods; NAT Lens models at most ${MAX_TOTAL_PODS} pods across all workloads, so it models ${MAX_TOTAL_PODS} of them`);
    assert.equal(r.code, 0);
    assert.deepEqual((JSON.parse(r.out) as Reported[]).map(f => `${f.line}:${f.column} ${f.code}`), ['6:3 selector-matches-nothing']);
  });
});

test('natlens check: a kind it ignores is information at kind (with --verbose), a document that is no object a located warning; the others are analysed', () => {
  inDir({ 'mixed.yaml': `${UNKNOWN}---\n- just\n- a list\n---\n${SERVICE}` }, path => {
    const quiet = runCli(['check', '--format', 'json', path('mixed.yaml')]);
    const verbose = runCli(['check', '--format', 'json', '--verbose', path('mixed.yaml')]);
    const codes = (out: string) => (JSON.parse(out) as Reported[]).map(f => `${f.line}:${f.column} ${f.severity} ${f.code}`);
    assert.ok(codes(quiet.out).includes('6:1 warning not-an-object'), quiet.out + quiet.err);
    assert.ok(!codes(quiet.out).some(c => c.endsWith('unknown-kind')));
    assert.ok(codes(verbose.out).includes('2:7 information unknown-kind'), codes(verbose.out).join('\n'));
    const notObject = (JSON.parse(quiet.out) as Reported[]).find(f => f.code === 'not-an-object')!;
    assert.match(notObject.message, /^Not a Kubernetes object \(expected a mapping with apiVersion and kind\); ignored$/);
    // the Service after both is modelled: its rules are there
    const rules = runCli(['rules', path('mixed.yaml')]);
    assert.equal(rules.code, 0);
    assert.match(rules.out, /--comment "default\/web has no endpoints"/);
  });
});

/** A Service whose spec cannot be read: what a model-building bug on one object looks like from outside. */
function unreadable(obj: AnyManifestObject): AnyManifestObject {
  const object = { ...obj.object };
  Object.defineProperty(object, 'spec', { get() { throw new TypeError('spec is not readable'); }, enumerable: true });
  return { ...obj, object } as AnyManifestObject;
}

test('an object the model cannot take is left out with a located error; the other files keep their model and findings', () => {
  const good = parseManifest(SERVICE, 'good.yaml');
  const bad = parseManifest(`# a comment first\n${SERVICE.replace('name: web', 'name: broken')}`, 'bad.yaml');
  const broken = unreadable(bad.objects[0]!);
  const { model, excluded } = buildIsolatedModel([...good.objects, broken], DEFAULT_PROFILE);
  assert.deepEqual(model.services.map(s => s.obj.name), ['web']);
  assert.equal(excluded.length, 1);
  const problem = notModelledProblem(excluded[0]!);
  assert.equal(problem.code, 'not-modelled');
  assert.equal(problem.severity, 'error');
  assert.equal(problem.message, 'NAT Lens could not model this Service: spec is not readable');
  // at the object: its document starts after the comment
  assert.equal(problem.range.start.line, 1);
  assert.equal(excluded[0]!.obj.fileName, 'bad.yaml');
  // the extension analyses every file against that model: the good file's findings are all there
  const alone = buildIsolatedModel(good.objects, DEFAULT_PROFILE).model;
  assert.deepEqual(analyzeFile(good, model, { workspace: [good, bad] }), analyzeFile(good, alone, { workspace: [good] }));
  assert.deepEqual(serviceLenses(good, model).map(l => l.title), serviceLenses(good, alone).map(l => l.title));
  assert.equal(serviceLenses(good, model).length, 1);
});
