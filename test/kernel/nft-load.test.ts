// The generated nftables ruleset loads into a real kernel: `nft -f` of the generated script inside a
// throwaway network namespace, then `nft list table <family> kube-proxy` must succeed, and the
// kernel's JSON view of the table must hold exactly our chains (with the same hooks and
// priorities), the same number of rules in each chain and the same number of elements in each set
// and map. Inputs: every nftables golden case (IPv4 and IPv6) and the example manifests on both
// example nodes, with NodePorts on every address (the iptables-mode default) and on the primary
// address only (the nftables-mode default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { nftSupport, withScratchNamespace } from './lab';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { generateNftables, type NftablesRuleset } from '../../extension/src/engine/proxy/nftables/generator';
import { loadGoldenCases } from '../support/golden';

const support = nftSupport();
const skip = support.ok ? false : support.reason;
const examples = new URL('../../examples/', import.meta.url).pathname;
const goldenRoot = new URL('../golden/nftables/', import.meta.url).pathname;

function exampleModel(file: string, change: Partial<ClusterProfile>): ClusterModel {
  const base = parseProfile(readFileSync(join(examples, 'cluster.yaml'), 'utf8')).profile;
  return buildClusterModel(parseManifest(readFileSync(join(examples, file), 'utf8'), file).objects, { ...base, proxyMode: 'nftables', ...change });
}

const models: { name: string; model: ClusterModel; nodeName?: string }[] = [
  ...loadGoldenCases(goldenRoot).map(c => ({ name: `golden ${c.name}`, model: c.model })),
  ...readdirSync(examples).filter(f => f.endsWith('.yaml') && f !== 'cluster.yaml').flatMap(f => [
    { name: `${f} on node-a, NodePorts on every address`, model: exampleModel(f, { nodePortAddresses: [] }), nodeName: 'node-a' },
    { name: `${f} on node-b, NodePorts on every address`, model: exampleModel(f, { nodePortAddresses: [] }), nodeName: 'node-b' },
    { name: `${f} on node-a, NodePorts on the primary address`, model: exampleModel(f, { nodePortAddresses: ['primary'] }), nodeName: 'node-a' },
    { name: `${f} on node-b, NodePorts on the primary address`, model: exampleModel(f, { nodePortAddresses: ['primary'] }), nodeName: 'node-b' },
  ]),
];

interface KernelView {
  chains: Map<string, { type?: string; hook?: string; prio?: number; rules: number }>;
  containers: Map<string, number>;
}

type JsonObject = Record<string, unknown>;

function kernelView(json: string): KernelView {
  const view: KernelView = { chains: new Map(), containers: new Map() };
  const items = (JSON.parse(json) as { nftables: JsonObject[] }).nftables;
  for (const item of items) {
    const chain = item['chain'] as JsonObject | undefined;
    if (chain) view.chains.set(String(chain['name']), {
      ...(chain['type'] !== undefined ? { type: String(chain['type']), hook: String(chain['hook']), prio: Number(chain['prio']) } : {}),
      rules: 0,
    });
  }
  for (const item of items) {
    const rule = item['rule'] as JsonObject | undefined;
    if (rule) view.chains.get(String(rule['chain']))!.rules++;
    const set = (item['set'] ?? item['map']) as JsonObject | undefined;
    if (set) view.containers.set(String(set['name']), Array.isArray(set['elem']) ? set['elem'].length : 0);
  }
  return view;
}

function expectedView(r: NftablesRuleset): KernelView {
  const view: KernelView = { chains: new Map(), containers: new Map() };
  for (const c of r.table.chains.values()) {
    view.chains.set(c.name, { ...(c.base ? { type: c.base.type, hook: c.base.hook, prio: c.base.priority } : {}), rules: c.rules.length });
  }
  for (const s of [...r.table.sets.values(), ...r.table.maps.values()]) view.containers.set(s.name, s.elements.length);
  return view;
}

const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

for (const { name, model, nodeName } of models) {
  test(`nft -f loads the generated table: ${name}`, { skip }, async () => {
    const ruleset = generateNftables(model, nodeName ? { nodeName } : {});
    const listed = await withScratchNamespace(async run => {
      const load = await run('nft', ['-f', '-'], ruleset.script);
      assert.equal(load.code, 0, `nft -f: ${load.stderr}\n${ruleset.script}`);
      const text = await run('nft', ['list', 'table', ruleset.family, 'kube-proxy']);
      assert.equal(text.code, 0, `nft list table: ${text.stderr}`);
      assert.match(text.stdout, new RegExp(`^table ${ruleset.family} kube-proxy \\{`, 'm'));
      const json = await run('nft', ['-j', 'list', 'table', ruleset.family, 'kube-proxy']);
      assert.equal(json.code, 0, `nft -j list table: ${json.stderr}`);
      return json.stdout;
    });
    const kernel = kernelView(listed), ours = expectedView(ruleset);
    assert.deepEqual(sorted(kernel.chains), sorted(ours.chains), 'chains: hooks, priorities and rule counts');
    assert.deepEqual(sorted(kernel.containers), sorted(ours.containers), 'sets and maps: element counts');
  });
}
