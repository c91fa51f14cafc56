// The walk on a two-node cluster: what the pod sees depends on the policy, the node and the CNI's
// pod gateway, and the walk says so from the rules it executed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { Walker } from '../../extension/src/engine/walk/walk';
import { formatWalk } from '../../extension/src/engine/walk/format';

function walker(policy: 'Cluster' | 'Local', gateway: 'ip' | 'none', extra = '') {
  const profile = parseProfile(`nodeName: node-a
allocate: false
iptablesRandomFully: false
clusterCIDR: 10.244.0.0/16
nodes:
  - { name: node-a, ips: [192.168.0.2], podCIDR: 10.244.0.0/24, podGateway: ${gateway === 'ip' ? '10.244.0.1' : 'none'} }
  - { name: node-b, ips: [192.168.0.3], podCIDR: 10.244.1.0/24, podGateway: ${gateway === 'ip' ? '10.244.1.1' : 'none'} }
`).profile;
  const text = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  clusterIP: 10.96.0.50
  externalTrafficPolicy: ${policy}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
  - {addresses: [10.244.0.10], nodeName: node-a}
  - {addresses: [10.244.1.10], nodeName: node-b}
${extra}`;
  return new Walker(buildClusterModel(parseManifest(text, 'svc.yaml').objects, profile));
}

test('Cluster policy: SNAT even to the local pod, to the egress interface address (bridge CNI)', () => {
  const r = walker('Cluster', 'ip').trace({ source: { kind: 'external', ip: '203.0.113.2' }, dst: '192.168.0.2', dport: 30080, proto: 'tcp' });
  assert.equal(r.verdict, 'DNAT');
  assert.deepEqual(r.endpoints.map(e => [e.endpoint, e.probability, e.node]), [['10.244.0.10:8080', 0.5, 'node-a'], ['10.244.1.10:8080', 0.5, 'node-b']]);
  assert.equal(r.masquerade, true);
  assert.deepEqual(r.sourceSeenByPod, { '10.244.0.10:8080': '10.244.0.1', '10.244.1.10:8080': '192.168.0.2' });
  // the remote branch is walked on node-b too (PREROUTING, FORWARD, POSTROUTING there)
  const remote = r.outcomes.find(o => o.endpoint === '10.244.1.10:8080')!;
  assert.ok(remote.hops.some(h => h.node === 'node-b' && h.hook === 'FORWARD'));
  assert.equal(remote.natNode, 'node-a');
  assert.equal(remote.replyBroken, false);
  assert.match(remote.reply.at(1)!.description, /conntrack on node-a reverses the translation: un-SNAT 192\.168\.0\.2 back to 203\.0\.113\.2, un-DNAT 10\.244\.1\.10 back to 192\.168\.0\.2/);
});

test('Cluster policy with a Calico-like CNI: the local pod sees the node address', () => {
  const r = walker('Cluster', 'none').trace({ source: { kind: 'external', ip: '203.0.113.2' }, dst: '192.168.0.2', dport: 30080, proto: 'tcp' });
  assert.equal(r.sourceSeenByPod, '192.168.0.2');
  assert.equal(r.snatAddress, '192.168.0.2');
});

test('Local policy keeps the client address and only uses the local endpoint; a node without one drops', () => {
  const w = walker('Local', 'ip');
  const a = w.trace({ source: { kind: 'external', ip: '203.0.113.2' }, dst: '192.168.0.2', dport: 30080, proto: 'tcp' });
  assert.deepEqual(a.endpoints.map(e => e.endpoint), ['10.244.0.10:8080']);
  assert.equal(a.masquerade, false);
  assert.equal(a.sourceSeenByPod, '203.0.113.2');
});

test('Local policy: pods short-circuit to all endpoints without SNAT', () => {
  const r = walker('Local', 'ip').trace({ source: { kind: 'pod', ip: '10.244.0.99', node: 'node-a' }, dst: '192.168.0.2', dport: 30080, proto: 'tcp' });
  assert.equal(r.endpoints.length, 2);
  assert.equal(r.masquerade, false);
  assert.equal(r.sourceSeenByPod, '10.244.0.99');
});

test('ClusterIP: a pod is not masqueraded, except when it reaches itself (hairpin); a node is', () => {
  const w = walker('Cluster', 'ip');
  const pod = w.trace({ source: { kind: 'pod', ip: '10.244.0.10', node: 'node-a' }, dst: '10.96.0.50', dport: 80, proto: 'tcp' });
  assert.deepEqual(pod.sourceSeenByPod, { '10.244.0.10:8080': '10.244.0.1', '10.244.1.10:8080': '10.244.0.10' });
  const self = pod.outcomes.find(o => o.endpoint === '10.244.0.10:8080')!;
  assert.ok(self.hops.some(h => h.chain.startsWith('KUBE-SEP-') && h.action === 'jump KUBE-MARK-MASQ'));
  const host = w.trace({ source: { kind: 'node', node: 'node-b' }, dst: '10.96.0.50', dport: 80, proto: 'tcp' });
  assert.equal(host.masquerade, true);
  assert.deepEqual(host.sourceSeenByPod, { '10.244.0.10:8080': '192.168.0.3', '10.244.1.10:8080': '10.244.1.1' });
  assert.equal(host.hops[0]!.hook, 'OUTPUT');
});

test('no endpoints: REJECT at once, in words', () => {
  const w = walker('Cluster', 'ip', `---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: shop}
spec: {clusterIP: 10.96.0.60, ports: [{port: 80}]}
`);
  const r = w.trace({ source: { kind: 'pod', ip: '10.244.0.99', node: 'node-a' }, dst: '10.96.0.60', dport: 80, proto: 'tcp' });
  assert.equal(r.verdict, 'REJECT');
  assert.match(r.summary, /connection refused/);
  assert.match(formatWalk(r), /filter\/KUBE-SERVICES\s+L\d+\s+REJECT/);
});

test('a destination no Service claims passes unchanged', () => {
  const r = walker('Cluster', 'ip').trace({ source: { kind: 'pod', ip: '10.244.0.99', node: 'node-a' }, dst: '10.244.1.10', dport: 8080, proto: 'tcp' });
  assert.equal(r.verdict, 'NONE');
  assert.equal(r.endpoints.length, 0);
  assert.match(r.summary, /no Service rule translated it/);
});
