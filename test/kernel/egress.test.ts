// Pod -> outside destination: the walk, with the CNI's egress model, predicts the source address the
// destination sees; a real connection through a namespace "cluster" shows what it sees. The node runs
// the masquerade rule Calico programs for natOutgoing (iptables nat POSTROUTING: pool sources to
// destinations outside every pool -> MASQUERADE); with natOutgoing off there is none, and the outside
// host routes the pod network back through the node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSupport, withLab, type LabSpec } from './lab';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { egressDeciderFor } from '../../extension/src/engine/egress';
import { Walker } from '../../extension/src/engine/walk/walk';

const support = netnsSupport();
const OUTSIDE = '192.168.0.9';
const POD = '10.0.1.2';

const spec: LabSpec = {
  nodes: [
    { name: 'node1', ip: '192.168.0.2', podCIDR: '10.0.1.0/24', podGateway: 'ip', pods: [{ name: 'a1', ip: POD, ports: [8080] }] },
    // a host on the node network that is not a cluster node: "the internet" for this test
    { name: 'outside', ip: OUTSIDE, podCIDR: '10.99.0.0/24', podGateway: 'ip', pods: [], ports: [8080] },
  ],
  clients: [],
  serviceCIDR: '172.30.0.0/16',
};

function predict(natOutgoing: boolean): string | null {
  const profile = parseProfile(`nodeName: node1
allocate: false
clusterCIDR: 10.0.0.0/16
nodes:
  - { name: node1, ips: [192.168.0.2], podCIDR: 10.0.1.0/24, podGateway: 10.0.1.1 }
`).profile;
  const pool = parseManifest(`apiVersion: projectcalico.org/v3
kind: IPPool
metadata: {name: pods}
spec: {cidr: 10.0.0.0/16, natOutgoing: ${natOutgoing}}
`, 'ippool.yaml');
  const model = buildClusterModel([], profile);
  const walker = new Walker(model, new Map(), 'iptables', egressDeciderFor([pool], profile));
  const r = walker.trace({ source: { kind: 'pod', ip: POD, node: 'node1' }, dst: OUTSIDE, dport: 8080, proto: 'tcp' });
  assert.equal(r.verdict, 'NONE');
  return r.outcomes[0]!.sourceSeen?.replace(/:(\d+|\*)$/, '') ?? null;
}

test('egress: natOutgoing on and off, predicted source = source the outside host sees', { skip: support.ok ? false : support.reason }, async () => {
  await withLab(spec, async lab => {
    const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-s', '10.0.0.0/16', '!', '-d', '10.0.0.0/16', '-j', 'MASQUERADE'];
    let r = await lab.run({ node: 'node1' }, 'iptables', masquerade);
    assert.equal(r.code, 0, r.stderr);
    const on = await lab.connect({ pod: 'a1' }, OUTSIDE, 8080, { count: 5 });
    assert.ok(on.every(c => c.ok), JSON.stringify(on));
    const seenOn = new Set(on.map(c => c.remote!.replace(/:\d+$/, '')));
    assert.deepEqual([...seenOn], [predict(true)]);
    assert.deepEqual([...seenOn], ['192.168.0.2']);

    r = await lab.run({ node: 'node1' }, 'iptables', masquerade.map(a => (a === '-A' ? '-D' : a)));
    assert.equal(r.code, 0, r.stderr);
    await lab.flushConntrack();
    // without SNAT the reply must find its way back to the pod network
    r = await lab.run({ node: 'outside' }, 'ip', ['route', 'replace', '10.0.0.0/16', 'via', '192.168.0.2']);
    assert.equal(r.code, 0, r.stderr);
    const off = await lab.connect({ pod: 'a1' }, OUTSIDE, 8080, { count: 5 });
    assert.ok(off.every(c => c.ok), JSON.stringify(off));
    const seenOff = new Set(off.map(c => c.remote!.replace(/:\d+$/, '')));
    assert.deepEqual([...seenOff], [predict(false)]);
    assert.deepEqual([...seenOff], [POD]);
  });
});
