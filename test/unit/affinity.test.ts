// Session affinity in the packet walk: a second connection of the same client is walked with what the
// first one left in the node's affinity lists (iptables recent, nftables sets, IPVS persistence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { walkerFor, type TraceRequest } from '../../extension/src/engine/walk/walk';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

const manifest = (affinity: string) => parseManifest(`apiVersion: v1
kind: Service
metadata: {name: sticky, namespace: t}
spec:
  type: NodePort
  clusterIP: 10.96.5.5
  selector: {app: web}
  sessionAffinity: ${affinity}
  ports: [{port: 80, targetPort: 8080, nodePort: 30555}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: t}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x, ports: [{containerPort: 8080}]}]}
`, 'sticky.yaml');

const walker = (mode: ProxyMode, affinity = 'ClientIP') => walkerFor(buildClusterModel(manifest(affinity).objects, { ...profile, proxyMode: mode }));
const ENDPOINTS = ['10.244.0.10:8080', '10.244.0.11:8080', '10.244.1.10:8080'];
const fromPod: TraceRequest = { source: { kind: 'pod', ip: '10.244.1.10', node: 'node-b' }, dst: '10.96.5.5', dport: 80, proto: 'tcp' };
const viaNodeA: TraceRequest = { source: { kind: 'external', ip: '203.0.113.9' }, entryNode: 'node-a', dst: '192.168.0.2', dport: 30555, proto: 'tcp' };

for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
  test(`${mode}: with ClientIP affinity the next connection goes back to the endpoint the first one took`, () => {
    const returns = walker(mode).returning(fromPod);
    assert.deepEqual(returns.map(r => r.first.endpoint).sort(), ENDPOINTS);
    for (const r of returns) {
      assert.deepEqual(r.again.endpoints.map(e => [e.endpoint, e.probability]), [[r.first.endpoint, 1]]);
      assert.equal(r.first.remembered.length, 1);
      assert.equal(r.first.remembered[0]!.node, 'node-b');
      assert.equal(r.first.remembered[0]!.address, '10.244.1.10');
      assert.equal(r.again.request.sport, 40001, 'a new connection: another source port');
    }
    const lists = returns.map(r => r.first.remembered[0]!.list);
    const pattern = { iptables: /^KUBE-SEP-[A-Z0-9]{16}$/, nftables: /^affinity-[A-Z0-9]{8}-t\/sticky\/tcp\/__10\.244\.\d\.\d+\/8080$/, ipvs: /^IPVS persistence 10\.96\.5\.5:80\/TCP -> 10\.244\.\d\.\d+:8080$/ }[mode];
    for (const list of lists) assert.match(list, pattern);
    assert.equal(new Set(lists).size, 3, 'one list per endpoint');
  });

  test(`${mode}: the record is per node: entering another node, the next connection is picked afresh`, () => {
    const w = walker(mode);
    const viaNodeB: TraceRequest = { ...viaNodeA, sport: 40001, entryNode: 'node-b', dst: '192.168.0.3' };
    for (const r of w.returning(viaNodeA, viaNodeB)) {
      assert.deepEqual(r.again.endpoints.map(e => e.endpoint).sort(), ENDPOINTS);
      assert.ok(r.again.outcomes.every(o => o.remembered.some(x => x.node === 'node-a') && o.remembered.some(x => x.node === 'node-b')));
    }
    // and through the same node again, it sticks
    for (const r of w.returning(viaNodeA)) assert.deepEqual(r.again.endpoints.map(e => e.endpoint), [r.first.endpoint]);
  });

  test(`${mode}: without affinity nothing is remembered and every connection is picked afresh`, () => {
    for (const r of walker(mode, 'None').returning(fromPod)) {
      assert.deepEqual(r.first.remembered, []);
      assert.deepEqual(r.again.endpoints.map(e => e.endpoint).sort(), ENDPOINTS);
    }
  });
}
