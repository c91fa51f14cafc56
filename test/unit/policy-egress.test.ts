// NetworkPolicy egress ipBlocks towards ranges the CNI masquerades: which blocks are reported, the
// addresses the walk says the destination sees, and the fix that exempts the range in the CNI's object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import type { TextEdit } from '../../extension/src/engine/findings/edits';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;
const read = (path: string) => parseManifest(readFileSync(`${root}test/fixtures/${path}`, 'utf8'), path.split('/').pop()!);

function egressFindings(cni?: ManifestFile) {
  const file = read('findings/policy-egress.yaml');
  const workspace = cni ? [file, cni] : [file];
  const model = buildClusterModel(workspace.flatMap(f => f.objects), profile);
  return analyzeFile(file, model, { workspace }).filter(f => f.rule === 'policy-egress-ip-block-snat');
}

const cidrs = (file: ManifestFile, fs: ReturnType<typeof egressFindings>) => fs.map(f => file.text.slice(f.range.start.offset, f.range.end.offset));

function applyTo(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset)
    .reduce((t, e) => t.slice(0, e.range.start.offset) + e.newText + t.slice(e.range.end.offset), text);
}

test('no CNI object: the assumed flannel masquerades everything outside its network; /0 and ingress-only policies are not reported', () => {
  const file = read('findings/policy-egress.yaml');
  const found = egressFindings();
  assert.deepEqual(cidrs(file, found), ['198.51.100.0/24', '172.20.0.0/16', '10.0.0.0/8']);
  assert.ok(found.every(f => f.service === 't/api-egress' && f.severity === 'information'));
  const [db] = found;
  assert.equal(db!.range.start.line, 11);
  assert.match(db!.message, /^The pods this policy selects leave for 198\.51\.100\.0\/24 with a node's address, not their own: /);
  assert.match(db!.message, /A connection to 198\.51\.100\.7 arrives from 192\.168\.0\.2 \(pods on node-a\), 192\.168\.0\.3 \(pods on node-b\)\./);
  assert.match(db!.message, /has to admit the node addresses, and then it admits every pod on those nodes\.$/);
  assert.deepEqual(db!.fixes, [], 'no CNI object to edit');
});

test('Calico: pools exempt their ranges; the fix appends a disabled IPPool to the pools\' file', () => {
  const calico = read('egress/calico.yaml');
  const file = read('findings/policy-egress.yaml');
  const found = egressFindings(calico);
  // 172.20.0.0/16 is the disabled pool; 10.0.0.0/8 is walked at 10.0.0.7, outside every pool
  assert.deepEqual(cidrs(file, found), ['198.51.100.0/24', '10.0.0.0/8']);
  assert.match(found[0]!.message, /natOutgoing/);
  const fix = found[0]!.fixes[0]!;
  assert.match(fix.title, /^Exempt 198\.51\.100\.0\/24 from natOutgoing with a disabled Calico IPPool in calico\.yaml \(the destination then sees pod addresses and must route the pod CIDR back to the nodes\)$/);
  assert.equal(fix.edits.length, 1);
  assert.equal(fix.edits[0]!.file, 'calico.yaml');
  const after = applyTo(calico.text, fix.edits);
  assert.equal(after, `${calico.text}---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: no-nat-198-51-100-0-24\nspec:\n  cidr: 198.51.100.0/24\n  disabled: true\n`);
  // with the pool in place, the finding is gone
  const calicoAfter = parseManifest(after, 'calico.yaml');
  assert.deepEqual(cidrs(file, egressFindings(calicoAfter)), ['10.0.0.0/8']);
});

test('ip-masq-agent: nonMasqueradeCIDRs exempt their ranges; the fix adds one more entry inside the ConfigMap\'s config', () => {
  const agent = read('egress/ip-masq-agent.yaml');
  const file = read('findings/policy-egress.yaml');
  const found = egressFindings(agent);
  assert.deepEqual(cidrs(file, found), ['198.51.100.0/24', '172.20.0.0/16']);
  assert.match(found[0]!.message, /nonMasqueradeCIDRs/);
  const fix = found[0]!.fixes[0]!;
  assert.match(fix.title, /^Exempt 198\.51\.100\.0\/24 from masquerade in ip-masq-agent's nonMasqueradeCIDRs/);
  const after = applyTo(agent.text, fix.edits);
  assert.equal(after, agent.text.replace('      - 100.64.0.0/10\n', '      - 100.64.0.0/10\n      - 198.51.100.0/24\n'));
  assert.deepEqual(cidrs(file, egressFindings(parseManifest(after, 'ip-masq-agent.yaml'))), ['172.20.0.0/16']);
});

test('a flow-style nonMasqueradeCIDRs list gets the entry inside its brackets', () => {
  const agent = parseManifest([
    'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: ip-masq-agent, namespace: kube-system}', 'data:',
    '  config: |', '    nonMasqueradeCIDRs: [10.0.0.0/8]', '    masqLinkLocal: false', '',
  ].join('\n'), 'agent.yaml');
  const fix = egressFindings(agent)[0]!.fixes[0]!;
  assert.equal(applyTo(agent.text, fix.edits), agent.text.replace('[10.0.0.0/8]', '[10.0.0.0/8, 198.51.100.0/24]'));
});
