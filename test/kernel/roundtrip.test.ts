// The generated payload loads into a real kernel, and what iptables-save prints back equals our
// --format save output. Uses the example manifests (every Service shape they hold) and the upstream
// golden inputs, restored into a throwaway namespace together with kube-proxy's jump rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSupport, withScratchNamespace, type RunFn } from './lab';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { generateIptables, type IptablesRuleset } from '../../extension/src/engine/proxy/iptables/generator';
import { toIptablesSave } from '../../extension/src/engine/proxy/iptables/save';
import { loadGoldenCases } from '../support/golden';

const support = netnsSupport();
const examples = new URL('../../examples/', import.meta.url).pathname;

async function loadAndSave(run: RunFn, ruleset: IptablesRuleset): Promise<string> {
  for (const j of [...ruleset.jumps]) {
    await run('iptables', ['-t', j.table, '-N', j.target]);
    const r = await run('iptables', ['-t', j.table, '-I', j.chain, '1', ...j.args]);
    assert.equal(r.code, 0, r.stderr);
  }
  const restore = await run('iptables-restore', ['-w', '5', '-W', '100000', '--noflush', '--counters'], ruleset.payload);
  assert.equal(restore.code, 0, `iptables-restore: ${restore.stderr}`);
  const saved = await run('iptables-save', []);
  assert.equal(saved.code, 0, saved.stderr);
  return saved.stdout.split('\n').filter(l => !l.startsWith('#')).join('\n');
}

function exampleModel(file: string): ClusterModel {
  const profile = parseProfile(readFileSync(join(examples, 'cluster.yaml'), 'utf8')).profile;
  return buildClusterModel(parseManifest(readFileSync(join(examples, file), 'utf8'), file).objects, profile);
}

const models: { name: string; model: ClusterModel; nodeName?: string }[] = [
  ...readdirSync(examples).filter(f => f.endsWith('.yaml') && f !== 'cluster.yaml').flatMap(f => [
    { name: `${f} on node-a`, model: exampleModel(f), nodeName: 'node-a' },
    { name: `${f} on node-b`, model: exampleModel(f), nodeName: 'node-b' },
  ]),
  // upstream inputs whose rules iptables accepts as they are: IPv4, no nfacct counters needed
  ...loadGoldenCases().filter(c => c.model.profile.ipFamily === 'IPv4').map(c => ({
    name: `golden ${c.name}`,
    model: { ...c.model, profile: { ...c.model.profile, nfacctCounters: [] } },
  })),
];

for (const { name, model, nodeName } of models) {
  test(`kernel round trip: ${name}`, { skip: support.ok ? false : support.reason }, async () => {
    const ruleset = generateIptables(model, nodeName ? { nodeName } : {});
    const kernel = await withScratchNamespace(run => loadAndSave(run, ruleset));
    assert.equal(toIptablesSave(ruleset, 'IPv4'), kernel);
  });
}
