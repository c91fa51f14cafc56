// `natlens node diff` on real nodes: the reference cluster's kube-proxy (iptables and nftables mode)
// programs a lab node from the examples; the node's `iptables-save -c` / `nft list ruleset`, read as a pasted dump, diffs empty
// against the same manifests, and against the manifests without one Service (its rules still on the
// node, as after a deletion kube-proxy has not synced) it shows exactly that Service's rules as
// stale. One cluster start and one kube-proxy sync per mode.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode } from '../../extension/src/engine/model/profile';
import { diffNode } from '../../extension/src/engine/node/diff';
import { parseNodeDump } from '../../extension/src/engine/node/dump';
import { ensureBuilt, referenceUnavailable } from './build';
import { ReferenceHarness } from './reference';

const unavailable = referenceUnavailable();
const EXAMPLES = new URL('../../examples/', import.meta.url).pathname;
const FILES = ['clusterip-dns.yaml', 'loadbalancer.yaml', 'nodeport-local.yaml'];

for (const mode of ['iptables', 'nftables'] as const) {
  test(`node diff of a real kube-proxy node (${mode}): empty against its manifests, the deleted Service's rules stale without it`, { skip: unavailable ?? false }, async t => {
    const profile = withProxyMode(parseProfile(readFileSync(join(EXAMPLES, 'cluster.yaml'), 'utf8')).profile, mode);
    const objects = FILES.flatMap(f => parseManifest(readFileSync(join(EXAMPLES, f), 'utf8'), f).objects);
    const node = profile.nodeName;
    const harness = await ReferenceHarness.start(ensureBuilt(line => t.diagnostic(line)), profile);
    try {
      await harness.runBatch(objects, profile, {
        modes: [mode], nodes: [node],
        whileRunning: async ({ labs, model }) => {
          const [cmd, args] = mode === 'iptables' ? ['iptables-save', ['-c']] : ['nft', ['list', 'ruleset']];
          const saved = await labs.get(mode)!.run({ node }, cmd, args);
          assert.equal(saved.code, 0, saved.stderr);
          const dump = parseNodeDump(`root@${node}:~# ${cmd} ${args.join(' ')}\n${saved.stdout}`);
          assert.deepEqual(dump.unknown, [], `every line of the real ${cmd} is read`);
          const real = model(mode);
          const same = diffNode(dump, real, node);
          assert.deepEqual(same.services, [], `the real node's rules against its manifests:\n${JSON.stringify(same.services, null, 1)}`);
          assert.equal(same.implied.proxyMode, mode);
          // the manifests without one Service (its workload stays): its rules on the node are stale, nothing else differs
          const gone = real.services.find(s => s.ports.length > 0 && s.obj.namespace === 'kube-system')!;
          const name = `${gone.obj.namespace}/${gone.obj.name}`;
          const without = buildClusterModel(objects.filter(o => !(o.kind === 'Service' && `${o.namespace}/${o.name}` === name)), real.profile);
          const deleted = diffNode(dump, without, node);
          const lines = deleted.services.flatMap(s => s.lines.map(l => ({ service: s.service, ...l })));
          assert.ok(lines.length > 0, `deleting ${name} shows nothing`);
          // its addresses, as its own map elements (`10.96.0.10 . udp . 53 : goto …`) name them
          const addresses = new Set(lines.filter(l => l.service !== null).flatMap(l => /^(\d+\.\d+\.\d+\.\d+) \./.exec(l.found ?? '')?.[1] ?? []));
          for (const l of lines) {
            assert.equal(l.kind, 'extra', `${l.kind}: ${l.found ?? l.expected}`);
            // the node-wide set of ClusterIPs (nftables) holds its address too
            if (l.service === null) assert.ok(addresses.has(l.found ?? ''), `only ${name} differs, not ${l.found}`);
            else assert.match(l.explanation, new RegExp(`^stale: ${name}:\\S* is not in the manifests`));
          }
          const rules = dump.iptables.flatMap(d => [...d.tables.values()]).flatMap(tb => [...tb.chains.values()].flatMap(c => c.rules)).length + dump.nft.flatMap(tb => [...tb.chains.values()].flatMap(c => c.rules)).length;
          t.diagnostic(`${node} (${mode}): ${rules} rules in the real ${cmd}; without ${name}: ${lines.length} stale lines`);
        },
      });
    } finally {
      await harness.stop();
    }
  });
}
