// The reproducers of issue 17 (test/fixtures/hostile, copied from the fuzz run that found them): each
// goes through every engine entry point the shells use and must give located messages, never an
// exception, a call over 2 s, or "[object Object]".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { runPipeline, timeBudget } from '../fuzz/pipeline';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';

const dir = new URL('../fixtures/hostile/', import.meta.url).pathname;
const read = (name: string, file: string) => readFileSync(`${dir}${name}/${file}`, 'utf8');

for (const name of readdirSync(dir).sort()) {
  test(`hostile reproducer ${name}: no exception, no slow call, no [object Object]`, () => {
    const profile = existsSync(`${dir}${name}/profile.yaml`) ? read(name, 'profile.yaml') : null;
    const { failures, calls } = runPipeline(read(name, 'input.yaml'), profile, { hoverSamples: 8, budgetMs: timeBudget() });
    assert.ok(calls > 5);
    assert.deepEqual(failures, []);
  });
}

const problemsOf = (text: string) => parseManifest(text, 'x.yaml').problems.map(p => `${p.range.start.line + 1}:${p.range.start.character + 1} ${p.severity} ${p.message}`);

test('01: a namespace that is no DNS label makes the Service unmodelled, with the API server\'s wording at the field', () => {
  const file = parseManifest(read('01-exception-proxy_iptables_ruleParser_ts_123', 'input.yaml'), 'x.yaml');
  assert.equal(file.objects.length, 0);
  const p = file.problems.find(p => p.code === 'invalid-field')!;
  assert.equal(p.range.start.line, 3);
  assert.match(p.message, /^metadata\.namespace: Invalid value: "-\\"": a lowercase RFC 1123 label must consist of/);
});

test('02: clusterIP: 2 is refused as the API server refuses to decode it; other objects still modelled', () => {
  const text = `${read('02-exception-util_ip_ts_73', 'input.yaml')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {clusterIP: 10.96.0.9, ports: [{port: 80}]}\n`;
  const file = parseManifest(text, 'x.yaml');
  assert.deepEqual(file.objects.map(o => o.name), ['ok']);
  assert.ok(problemsOf(text).some(p => p.startsWith('4:13 error spec.clusterIP: Invalid type: expected string, got number 2')), problemsOf(text).join('\n'));
});

test('63: a self-referencing alias in a sequence is one located error; the good document after it is read', () => {
  const file = parseManifest(read('63-exception-parseManifest-self-alias-seq', 'input.yaml'), 'x.yaml');
  assert.deepEqual(file.objects.map(o => o.name), ['good']);
  assert.ok(file.problems.some(p => p.severity === 'error' && /alias/i.test(p.message)));
  assert.doesNotThrow(() => parseProfile('nodes: &a [*a]\n'));
});

test('64: U+2028 and "---" inside a quoted scalar do not split the document', () => {
  const file = parseManifest(read('64-oracle-u2028-document-split', 'input.yaml'), 'x.yaml');
  assert.equal(file.documents.length, 1);
  assert.deepEqual(file.problems.filter(p => p.code === 'yaml-syntax'), []);
});

test('h1: toIptablesSave of 10,000 pods is linear (well under 2 s)', () => {
  const file = parseManifest(read('h1-hang-toIptablesSave-10k-pods', 'input.yaml'), 'x.yaml');
  const model = buildClusterModel(file.objects, parseProfile('nodeName: node-a\n').profile);
  const ruleset = generateIptables(model);
  assert.ok(ruleset.lines.length > 10_000);
});

test('h3: 50,000 keys in one mapping parse in well under 2 s', () => {
  const start = performance.now();
  const file = parseManifest(read('h3-hang-parse-json-many-keys', 'input.yaml'), 'x.yaml');
  assert.ok(performance.now() - start < timeBudget(), `${performance.now() - start} ms`);
  assert.deepEqual(file.problems.filter(p => p.severity === 'error'), []);
});
