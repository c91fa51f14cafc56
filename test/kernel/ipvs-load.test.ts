// The generated IPVS-mode state loads into a real kernel, inside a throwaway network namespace:
//   1. `ipset restore` of our `ipset save` text, then `ipset save` must give back the same sets
//      (headers without the "bucketsize … initval …" that newer ipset adds, members as multisets:
//      hash members come back in the kernel's hash order);
//   2. `iptables-restore --noflush` (ip6tables for IPv6) of the payload kube-proxy would write, with
//      the sets in place, then the jumps kube-proxy ensures; `iptables-save` must hold our chains
//      with the same number of rules each;
//   3. `ipvsadm -R` of our `ipvsadm -S` text, then `ipvsadm -Ln` must print our `ipvsadm -Ln` text.
// Inputs: every IPVS golden case and the example manifests on both example nodes.
// Needs root, iproute2, iptables, ipset (apt-get install -y ipset) and for step 3 ipvsadm and a
// kernel with IP_VS; rules using the `ipvs` match (KUBE-IPVS-OUT-FILTER) also need IP_VS and are
// left out, and said so, when the kernel lacks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { netnsSupport, withScratchNamespace, type RunFn } from './lab';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel, type ClusterModel } from '../../extension/src/engine/model/cluster';
import { generateIpvs, type IpvsRuleset } from '../../extension/src/engine/proxy/ipvs/generator';
import { parseRestore } from '../../extension/src/engine/proxy/iptables/ruleParser';
import { loadGoldenCases } from '../support/golden';

function tool(cmd: string, args: string[], pkg: string): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return r.error || r.status !== 0 ? `${cmd} not usable (${r.error ? r.error.message : (r.stderr || '').trim()}); install with: apt-get install -y ${pkg}` : null;
}

const ns = netnsSupport();
const ipsetMissing = ns.ok ? tool('ipset', ['--version'], 'ipset') : ns.reason;
const skipLoad = ipsetMissing ?? false;

/** Does the kernel have IPVS? (CONFIG_IP_VS; its netlink family answers `ipvsadm -Ln`.) */
async function ipvsKernel(run: RunFn): Promise<string | null> {
  const r = await run('ipvsadm', ['-Ln']);
  return r.code === 0 ? null : `the kernel lacks IP Virtual Server (ip_vs): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
}

const examples = new URL('../../examples/', import.meta.url).pathname;
const goldenRoot = new URL('../golden/ipvs/', import.meta.url).pathname;

function exampleModel(file: string, change: Partial<ClusterProfile>): ClusterModel {
  const base = parseProfile(readFileSync(join(examples, 'cluster.yaml'), 'utf8')).profile;
  return buildClusterModel(parseManifest(readFileSync(join(examples, file), 'utf8'), file).objects, { ...base, proxyMode: 'ipvs', ...change });
}

const models: { name: string; model: ClusterModel; nodeName?: string }[] = [
  ...loadGoldenCases(goldenRoot).map(c => ({ name: `golden ${c.name}`, model: c.model })),
  ...readdirSync(examples).filter(f => f.endsWith('.yaml') && f !== 'cluster.yaml').flatMap(f => [
    { name: `${f} on node-a`, model: exampleModel(f, {}), nodeName: 'node-a' },
    { name: `${f} on node-b`, model: exampleModel(f, {}), nodeName: 'node-b' },
  ]),
];

/** `ipset save` text as sets: header without bucketsize/initval, members sorted. */
function ipsetView(text: string): { creates: string[]; members: Map<string, string[]> } {
  const creates: string[] = [];
  const members = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith('create ')) {
      creates.push(line.replace(/ bucketsize \d+/, '').replace(/ initval 0x[0-9a-f]+/, ''));
      members.set(line.split(' ')[1]!, []);
    } else if (line.startsWith('add ')) {
      const [, set, entry] = line.split(' ');
      members.get(set!)!.push(entry!);
    }
  }
  for (const m of members.values()) m.sort();
  return { creates, members };
}

function chainCounts(text: string, tables: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of parseRestore(text)) {
    if (!tables.includes(t.name)) continue;
    for (const c of t.chains) if (c.name.startsWith('KUBE-')) counts.set(`${t.name} ${c.name}`, 0);
    for (const r of t.rules) if (r.chain.startsWith('KUBE-')) counts.set(`${t.name} ${r.chain}`, (counts.get(`${t.name} ${r.chain}`) ?? 0) + 1);
  }
  return counts;
}

const sortedEntries = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

for (const { name, model, nodeName } of models) {
  test(`ipset restore + iptables-restore load the IPVS-mode state: ${name}`, { skip: skipLoad }, async (t) => {
    const r: IpvsRuleset = generateIpvs(model, nodeName ? { nodeName } : {});
    const v6 = r.family === 'IPv6';
    await withScratchNamespace(async run => {
      const restore = await run('ipset', ['restore'], r.ipsetSave);
      assert.equal(restore.code, 0, `ipset restore: ${restore.stderr}\n${r.ipsetSave}`);
      const saved = await run('ipset', ['save']);
      assert.equal(saved.code, 0, saved.stderr);
      const got = ipsetView(saved.stdout), want = ipsetView(r.ipsetSave);
      assert.deepEqual(got.creates, want.creates, 'ipset save: sets and headers');
      assert.deepEqual(sortedEntries(got.members), sortedEntries(want.members), 'ipset save: members');

      // Without IP_VS the `ipvs` match does not exist; leave those rules out (and only those).
      const noIpvs = await ipvsKernel(run);
      let payload = r.iptables.payload;
      if (noIpvs) {
        const kept = payload.split('\n').filter(l => !/ -m ipvs /.test(l));
        const dropped = payload.split('\n').length - kept.length;
        if (dropped > 0) t.diagnostic(`${dropped} rule(s) with the ipvs match left out: ${noIpvs}`);
        payload = kept.join('\n');
      }
      const restoreCmd = v6 ? 'ip6tables-restore' : 'iptables-restore';
      const load = await run(restoreCmd, ['-w', '5', '--noflush', '--counters'], payload);
      assert.equal(load.code, 0, `${restoreCmd}: ${load.stderr}\n${payload}`);
      for (const j of r.iptables.jumps) {
        const ins = await run(v6 ? 'ip6tables' : 'iptables', ['-w', '5', '-t', j.table, '-I', j.chain, ...j.args]);
        assert.equal(ins.code, 0, `jump ${j.table} ${j.chain} -> ${j.target}: ${ins.stderr}`);
      }
      const dump = await run(v6 ? 'ip6tables-save' : 'iptables-save', []);
      assert.equal(dump.code, 0, dump.stderr);
      assert.deepEqual(sortedEntries(chainCounts(dump.stdout, ['nat', 'filter'])), sortedEntries(chainCounts(payload, ['nat', 'filter'])), 'KUBE-* chains and their rule counts');
    });
  });
}

test('ipvsadm -R of our rules lists back as our ipvsadm -Ln text', { skip: skipLoad }, async (t) => {
  // `ipvsadm --version` itself fails without ip_vs, so only a missing binary counts as "not installed".
  if ((spawnSync('ipvsadm', ['--version'], { timeout: 10_000 }).error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    t.skip('ipvsadm not installed; install with: apt-get install -y ipvsadm');
    return;
  }
  const reason = await withScratchNamespace(ipvsKernel);
  if (reason) { t.skip(reason); return; }
  for (const { name, model, nodeName } of models) {
    const r = generateIpvs(model, nodeName ? { nodeName } : {});
    await withScratchNamespace(async run => {
      const load = await run('ipvsadm', ['-R'], r.ipvsadmRules);
      assert.equal(load.code, 0, `${name}: ipvsadm -R: ${load.stderr}\n${r.ipvsadmRules}`);
      const list = await run('ipvsadm', ['-Ln']);
      assert.equal(list.code, 0, list.stderr);
      // The first line carries the kernel's connection table size; compare it loosely.
      const [head, ...rest] = list.stdout.split('\n');
      const [ourHead, ...ours] = r.ipvsadm.split('\n');
      assert.match(head!, /^IP Virtual Server version \d+\.\d+\.\d+ \(size=\d+\)$/);
      assert.equal(ourHead, 'IP Virtual Server version 1.2.1 (size=4096)');
      assert.equal(rest.join('\n'), ours.join('\n'), name);
    });
  }
});
