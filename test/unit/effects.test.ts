// Walk hops carry typed effects (jump, mark, DNAT, SNAT with its owner, affinity, verdict) in every
// back end, and their text is rendered from those effects; no product code reads a hop's text back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { walkerFor, type TraceRequest } from '../../extension/src/engine/walk/walk';
import { describeEffects, type HopEffect } from '../../extension/src/engine/walk/effects';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

const manifest = parseManifest(`apiVersion: v1
kind: Service
metadata: {name: web, namespace: t}
spec:
  type: NodePort
  clusterIP: 10.96.5.5
  selector: {app: web}
  sessionAffinity: ClientIP
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
`, 'web.yaml');

const walker = (mode: ProxyMode) => walkerFor(buildClusterModel(manifest.objects, { ...profile, proxyMode: mode }));
const external: TraceRequest = { source: { kind: 'external', ip: '203.0.113.9' }, entryNode: 'node-a', dst: '192.168.0.2', dport: 30555, proto: 'tcp' };
const fromPod: TraceRequest = { source: { kind: 'pod', ip: '10.244.1.10', node: 'node-b' }, dst: '10.96.5.5', dport: 80, proto: 'tcp' };
const effects = (hops: readonly { effects: readonly HopEffect[] }[]) => hops.flatMap(h => h.effects);

for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
  test(`${mode}: every branch's DNAT and kube-proxy's masquerade are typed effects, and the hop text is rendered from them`, () => {
    const r = walker(mode).trace(external);
    assert.equal(r.outcomes.length, 3);
    for (const o of r.outcomes) {
      const dnat = effects(o.hops).filter(e => e.kind === 'dnat');
      assert.deepEqual(dnat.map(e => e.kind === 'dnat' && e.to), [o.endpoint]);
      const snat = effects(o.hops).find(e => e.kind === 'snat');
      assert.ok(snat && snat.kind === 'snat' && snat.owner === 'kube-proxy' && snat.how === 'MASQUERADE', `${mode}: externalTrafficPolicy Cluster masquerades`);
      assert.equal(snat.to, o.snatAddress);
      for (const h of o.hops) assert.equal(h.action, describeEffects(h.effects));
    }
    if (mode === 'ipvs') {
      const dnat = effects(r.outcomes[0]!.hops).find(e => e.kind === 'dnat');
      assert.deepEqual(dnat?.kind === 'dnat' && dnat.ipvs, { scheduler: 'rr', at: 'LOCAL_IN', realServers: 3, persistentSeconds: 10800, fromTemplate: false, localFallback: null });
    } else {
      // the mark that decides the masquerade is an effect with its resulting value
      assert.ok(effects(r.outcomes[0]!.hops).some(e => e.kind === 'mark' && (e.result & 0x4000) !== 0));
    }
    if (mode === 'nftables') {
      const branches = r.outcomes.map(o => effects(o.hops).find(e => e.kind === 'jump' && e.branch)).map(e => e?.kind === 'jump' && e.branch);
      assert.deepEqual(branches.map(b => b && b.of), [3, 3, 3]);
      assert.deepEqual(branches.map(b => b && b.value).sort(), [0, 1, 2]);
    }
  });

  test(`${mode}: session affinity records and hits are effects`, () => {
    for (const ret of walker(mode).returning(fromPod)) {
      const recorded = effects(ret.first.hops).filter(e => e.kind === 'affinity-record');
      assert.equal(recorded.length, 1, mode);
      assert.ok(!effects(ret.first.hops).some(e => e.kind === 'affinity-hit'), 'a first connection hits no record');
      const again = ret.again.outcomes[0]!;
      const hit = effects(again.hops).find(e => e.kind === 'affinity-hit');
      assert.ok(hit && recorded[0]!.kind === 'affinity-record' && hit.kind === 'affinity-hit' && hit.list === recorded[0]!.list, mode);
      assert.match(ret.again.summary, /is remembered from an earlier connection/);
    }
  });
}

test('the CNI\'s egress SNAT is an effect owned by the CNI, not by kube-proxy', async () => {
  const { egressDecision } = await import('../../extension/src/engine/egress/decide');
  const { resolveCni } = await import('../../extension/src/engine/egress/profile');
  const model = buildClusterModel(manifest.objects, profile);
  const cni = resolveCni({ type: 'calico' }, null, model.profile).config;
  const w = walkerFor({ ...model, services: [] }, (pod, dst) => egressDecision(cni, model.profile, pod, dst));
  const r = w.trace({ source: { kind: 'pod', ip: '10.244.1.10', node: 'node-b' }, dst: '198.51.100.7', dport: 443, proto: 'tcp' });
  const e = effects(r.outcomes[0]!.hops).filter(x => x.kind === 'snat' || x.kind === 'keep-source');
  assert.deepEqual(e, [{ kind: 'snat', how: 'MASQUERADE', to: '192.168.0.3', owner: 'cni' }]);
  assert.equal(r.outcomes[0]!.masqueraded, false, 'the CNI\'s SNAT is not kube-proxy\'s masquerade');
});

test('no product code reads a walk hop\'s text back (hop.action is rendered, never parsed)', () => {
  const files: string[] = [];
  const walkDir = (d: string) => { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walkDir(p); else if (p.endsWith('.ts')) files.push(p); } };
  walkDir(`${root}extension/src`);
  walkDir(`${root}webview/src`);
  const offenders = files.filter(f => /\.action\s*(\.(startsWith|includes|slice|split|match|endsWith)|===|!==)/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
