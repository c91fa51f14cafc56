// `natlens node diff` on real nodes: the reference cluster's kube-proxy (iptables mode) programs a
// lab node from the examples; the node's `iptables-save -c`, read as a pasted dump, diffs empty
// against the same manifests, and against the manifests without one Service (its rules still on the
// node, as after a deletion kube-proxy has not synced) it shows exactly that Service's rules as
// stale. One cluster start, one kube-proxy sync.
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

test('node diff of a real kube-proxy node: empty against its manifests, the deleted Service\'s rules stale without it', { skip: unavailable ?? false }, async t => {
  const profile = withProxyMode(parseProfile(readFileSync(join(EXAMPLES, 'cluster.yaml'), 'utf8')).profile, 'iptables');
  const objects = FILES.flatMap(f => parseManifest(readFileSync(join(EXAMPLES, f), 'utf8'), f).objects);
  const node = profile.nodeName;
  const harness = await ReferenceHarness.start(ensureBuilt(line => t.diagnostic(line)), profile);
  try {
    await harness.runBatch(objects, profile, {
      modes: ['iptables'], nodes: [node],
      whileRunning: async ({ labs, model }) => {
        const saved = await labs.get('iptables')!.run({ node }, 'iptables-save', ['-c']);
        assert.equal(saved.code, 0, saved.stderr);
        const dump = parseNodeDump(`root@${node}:~# iptables-save -c\n${saved.stdout}`);
        assert.deepEqual(dump.unknown, [], 'every line of the real iptables-save is read');
        const real = model('iptables');
        const same = diffNode(dump, real, node);
        assert.deepEqual(same.services, [], `the real node's rules against its manifests:\n${JSON.stringify(same.services, null, 1)}`);
        assert.equal(same.implied.proxyMode, 'iptables');
        // the manifests without one Service: its rules on the node are stale, nothing else differs
        const gone = real.services.find(s => s.ports.length > 0)!;
        const name = `${gone.obj.namespace}/${gone.obj.name}`;
        const without = buildClusterModel(objects.filter(o => !(o.kind === 'Service' && `${o.namespace}/${o.name}` === name)), real.profile);
        const deleted = diffNode(dump, without, node);
        assert.ok(deleted.services.length > 0, `deleting ${name} shows nothing`);
        const rules = [...dump.iptables[0]!.tables.values()].flatMap(tb => [...tb.chains.values()].flatMap(c => c.rules)).length;
        t.diagnostic(`${node}: ${rules} rules in the real iptables-save; without ${name}: ${deleted.services.flatMap(s => s.lines).length} stale lines`);
        for (const s of deleted.services) {
          assert.ok(s.service?.startsWith(`${name}:`), `only ${name} differs, not ${s.service}`);
          for (const l of s.lines) {
            assert.equal(l.kind, 'extra', `${l.kind}: ${l.found ?? l.expected}`);
            assert.match(l.explanation, new RegExp(`^stale: ${name}:\\S* is not in the manifests`));
          }
        }
      },
    });
  } finally {
    await harness.stop();
  }
});
