// The editor's caches (FindingsCache for diagnostics and CodeLens titles) give what a fresh
// analysis of the same text gives, edit after edit, and an EndpointSlice edit reaches its Service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { WorkspaceModel } from '../../extension/src/engine/model/isolate';
import { analyzeFile, FindingsCache } from '../../extension/src/engine/findings/analyze';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { syntheticManifest } from '../bench/synthetic';

const profile = parseProfile('nodeName: node-a\nnodeIPs: [192.168.0.2]\nallocate: false\nnodes: [{name: node-b, ips: [192.168.0.3]}]\n').profile;

function replaceIn(text: string, after: string, from: string, to: string): string {
  const at = text.indexOf(from, text.indexOf(after));
  assert.ok(at >= 0, `${from} after ${after}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

const EXTRA = 'apiVersion: v1\nkind: Service\nmetadata: {name: extra, namespace: bench}\nspec: {clusterIP: 10.96.9.9, ports: [{port: 1}]}';
const HELM = 'apiVersion: v1\nkind: Service\nmetadata: {name: "{{ .Release.Name }}"}';

/** Everything but the functions (ranges are compared as data, not as closures). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'fileText' ? undefined : v)));
}

test('cached diagnostics and CodeLens titles equal a fresh analysis after Service and EndpointSlice edits', () => {
  let text = syntheticManifest(12, 2);
  const cache = new FindingsCache(), lensCache = new FindingsCache();
  let previous = parseManifest(text, 'a.yaml');
  const edits: [string, string, string][] = [
    ['name: svc-3\n', 'port: 80\n', 'port: 81\n'],
    // every endpoint of svc-4 not ready: its CodeLens must change
    ['name: svc-4-x\n', '{ready: true}', '{ready: false}'],
    ['name: svc-4-x\n', '{ready: true}', '{ready: false}'],
    ['name: svc-0\n', 'type: NodePort', 'type: ClusterIP'],
    ['name: svc-6-x\n', 'port: 8080', 'port: 9090'],
    ['name: svc-4-x\n', '{ready: false}', '{ready: true}'],
    // lines added above later documents, a document inserted, a Helm template, then both removed
    ['name: svc-2\n', 'port: 80\n', 'port: 80\n      # two\n      # lines\n'],
    ['name: svc-5\n', '\n---\n', `\n---\n${EXTRA}\n---\n`],
    ['name: svc-7\n', '\n---\n', `\n---\n${HELM}\n---\n`],
    ['name: svc-5\n', `\n---\n${EXTRA}\n---\n`, '\n---\n'],
    ['name: svc-7\n', `\n---\n${HELM}\n---\n`, '\n---\n'],
  ];
  const lensOf = (lenses: ReturnType<typeof serviceLenses>, s: string) => lenses.find(l => l.service === `bench/${s}`)!.title;
  let previousModel = buildClusterModel(previous.objects, profile);
  let before = serviceLenses(previous, previousModel, lensCache);
  analyzeFile(previous, previousModel, {}, cache);
  let changedLenses = 0;
  for (const [after, from, to] of edits) {
    text = replaceIn(text, after, from, to);
    // as the editor does it: the parse and the model built on the previous ones
    const file = parseManifest(text, 'a.yaml', { previous });
    const model = buildClusterModel(file.objects, profile, { previous: previousModel });
    const fresh = parseManifest(text, 'a.yaml');
    const freshModel = buildClusterModel(fresh.objects, profile);
    assert.deepEqual(plain(file), plain(fresh), `parse after ${after} ${to}`);
    assert.deepEqual(plain(model), plain(freshModel), `model after ${after} ${to}`);
    assert.deepEqual(analyzeFile(file, model, {}, cache), analyzeFile(fresh, freshModel), `findings after ${after} ${to}`);
    const lenses = serviceLenses(file, model, lensCache);
    assert.deepEqual(lenses, serviceLenses(fresh, freshModel), `lenses after ${after} ${to}`);
    if (lenses.some((l, i) => l.title !== before[i]?.title)) changedLenses++;
    before = lenses;
    previous = file;
    previousModel = model;
  }
  assert.equal(lensOf(before, 'svc-4'), 'NAT: 1 ready endpoint · cluster-internal only');
  assert.ok(changedLenses >= 3, 'the edits changed CodeLens titles');
});

// Node objects make buildClusterModel derive a profile: the editor's model must still be kept between
// calls, and a rebuild must still reuse the Services an edit did not touch.
const NODES = ['node-a', 'node-b'].map((name, i) => `apiVersion: v1\nkind: Node\nmetadata: {name: ${name}}\nspec: {podCIDR: 10.244.${i}.0/24}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.${i + 2}}]}`).join('\n---\n');

test('with Node objects, a rebuild keeps the derived profile and the entries of untouched Services', () => {
  const text = `${NODES}\n---\n${syntheticManifest(4, 2)}`;
  const first = parseManifest(text, 'a.yaml');
  const before = buildClusterModel(first.objects, profile);
  assert.notEqual(before.profile, profile, 'the Node objects define the nodes');
  const edited = parseManifest(replaceIn(text, 'name: svc-2\n', 'port: 80\n', 'port: 81\n'), 'a.yaml', { previous: first });
  const after = buildClusterModel(edited.objects, profile, { previous: before });
  assert.equal(after.profile, before.profile);
  const entry = (m: typeof before, name: string) => m.services.find(s => s.obj.name === name)!;
  assert.equal(entry(after, 'svc-1').ports, entry(before, 'svc-1').ports, 'an untouched Service is reused');
  assert.notEqual(entry(after, 'svc-2').ports, entry(before, 'svc-2').ports, 'the edited Service is rebuilt');
  assert.deepEqual(plain(after), plain(buildClusterModel(edited.objects, profile)));
  // another Node object is another profile
  const moved = parseManifest(replaceIn(edited.text, 'name: node-b', '192.168.0.3', '192.168.0.9'), 'a.yaml', { previous: edited });
  assert.deepEqual(buildClusterModel(moved.objects, profile, { previous: after }).profile.nodes[1]!.ips, ['192.168.0.9']);
});

test('the editor keeps its model between calls until an edit, with Node objects in the workspace', () => {
  const models = new WorkspaceModel();
  let file = parseManifest(`${NODES}\n---\n${syntheticManifest(3, 1)}`, 'a.yaml');
  let reads = 0;
  const objects = () => { reads++; return file.objects; };
  const first = models.get(profile, objects).model;
  assert.equal(models.get(profile, objects).model, first, 'a second call builds nothing');
  assert.equal(reads, 1);
  models.invalidate();
  file = parseManifest(replaceIn(file.text, 'name: svc-1\n', 'port: 80\n', 'port: 81\n'), 'a.yaml', { previous: file });
  const second = models.get(profile, objects).model;
  assert.equal(reads, 2);
  assert.equal(second.profile, first.profile);
  assert.equal(second.services[0]!.ports, first.services[0]!.ports, 'built on the last model');
  const other = { ...profile };
  assert.notEqual(models.get(other, objects).model, second, 'another profile is another model');
});

/** A small deterministic PRNG (mulberry32), so that a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEPLOYMENT = (i: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: bench}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: svc-${i}}}\n  template:\n    metadata: {labels: {app: svc-${i}}}\n    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}`;

test('random edits: the incremental parse, model, diagnostics and CodeLenses equal a cold run', () => {
  for (const seed of [1, 2, 3]) {
    const next = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    // Services with EndpointSlices, and some without whose endpoints come from Deployments
    let text = `${syntheticManifest(8, 2)}---\n${[0, 1, 2].map(i => DEPLOYMENT(i + 8) + '\n---\n' + EXTRA.replace('extra', `svc-${i + 8}`).replace('10.96.9.9', `10.96.9.${i + 8}`).replace('ports: [{port: 1}]', `selector: {app: svc-${i + 8}}, ports: [{port: 80, targetPort: http}]`)).join('\n---\n')}\n`;
    let file = parseManifest(text, 'a.yaml');
    let model = buildClusterModel(file.objects, profile);
    const cache = new FindingsCache(), lensCache = new FindingsCache();
    analyzeFile(file, model, {}, cache);
    serviceLenses(file, model, lensCache);
    const edits: (() => string)[] = [
      // value-only edits: a port, a label value, an endpoint's readiness, a replica count
      () => text.replace(/port: (\d+)/g, (m, n: string) => (next() < 0.15 ? `port: ${Number(n) + 1}` : m)),
      () => text.replace(/app: svc-(\d+)/, (_m, n: string) => `app: svc-${(Number(n) + 1) % 11}`),
      () => text.replace(/ready: (true|false)/g, (m, v: string) => (next() < 0.2 ? `ready: ${v === 'true' ? 'false' : 'true'}` : m)),
      () => text.replace(/replicas: (\d+)/, (_m, n: string) => `replicas: ${(Number(n) + 1) % 4}`),
      // typing: a character in, a character out, anywhere (YAML errors included)
      () => { const at = Math.floor(next() * text.length); return text.slice(0, at) + pick(['x', ' ', '\n', ':', '-', '0']) + text.slice(at); },
      () => { const at = Math.floor(next() * text.length); return text.slice(0, at) + text.slice(at + 1); },
      // documents inserted and removed
      () => { const at = text.indexOf('\n---\n', Math.floor(next() * text.length)); return at < 0 ? text : text.slice(0, at) + `\n---\n${EXTRA}` + text.slice(at); },
      () => { const at = text.indexOf('\n---\n', Math.floor(next() * text.length)); const end = at < 0 ? -1 : text.indexOf('\n---\n', at + 1); return end < 0 ? text : text.slice(0, at) + text.slice(end); },
    ];
    for (let step = 0; step < 40; step++) {
      text = pick(edits)();
      const at = `seed ${seed} step ${step}`;
      const edited = parseManifest(text, 'a.yaml', { previous: file });
      const editedModel = buildClusterModel(edited.objects, profile, { previous: model });
      const cold = parseManifest(text, 'a.yaml');
      const coldModel = buildClusterModel(cold.objects, profile);
      assert.deepEqual(plain(edited), plain(cold), `parse, ${at}`);
      assert.deepEqual(plain(editedModel), plain(coldModel), `model, ${at}`);
      assert.deepEqual(analyzeFile(edited, editedModel, {}, cache), analyzeFile(cold, coldModel), `diagnostics, ${at}`);
      assert.deepEqual(serviceLenses(edited, editedModel, lensCache), serviceLenses(cold, coldModel), `CodeLenses, ${at}`);
      file = edited;
      model = editedModel;
    }
  }
});
