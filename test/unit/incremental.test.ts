// The editor's caches (FindingsCache for diagnostics and CodeLens titles) give what a fresh
// analysis of the same text gives, edit after edit, and an EndpointSlice edit reaches its Service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile, FindingsCache } from '../../extension/src/engine/findings/analyze';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { syntheticManifest } from '../bench/synthetic';

const profile = parseProfile('nodeName: node-a\nnodeIPs: [192.168.0.2]\nallocate: false\nnodes: [{name: node-b, ips: [192.168.0.3]}]\n').profile;

function replaceIn(text: string, after: string, from: string, to: string): string {
  const at = text.indexOf(from, text.indexOf(after));
  assert.ok(at >= 0, `${from} after ${after}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
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
  ];
  const lensOf = (lenses: ReturnType<typeof serviceLenses>, s: string) => lenses.find(l => l.service === `bench/${s}`)!.title;
  let before = serviceLenses(previous, buildClusterModel(previous.objects, profile), lensCache);
  analyzeFile(previous, buildClusterModel(previous.objects, profile), {}, cache);
  let changedLenses = 0;
  for (const [after, from, to] of edits) {
    text = replaceIn(text, after, from, to);
    const file = parseManifest(text, 'a.yaml', { previous });
    const model = buildClusterModel(file.objects, profile);
    const fresh = parseManifest(text, 'a.yaml');
    const freshModel = buildClusterModel(fresh.objects, profile);
    assert.deepEqual(analyzeFile(file, model, {}, cache), analyzeFile(fresh, freshModel), `findings after ${after} ${to}`);
    const lenses = serviceLenses(file, model, lensCache);
    assert.deepEqual(lenses, serviceLenses(fresh, freshModel), `lenses after ${after} ${to}`);
    if (lenses.some((l, i) => l.title !== before[i]?.title)) changedLenses++;
    before = lenses;
    previous = file;
  }
  assert.equal(lensOf(before, 'svc-4'), 'NAT: 1 ready endpoint · cluster-internal only');
  assert.ok(changedLenses >= 3, 'the edits changed CodeLens titles');
});
