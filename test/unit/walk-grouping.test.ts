// The facts walk equivalent endpoints once (Walker.branches, joinBranch): the facts it gives must be
// the facts of the ungrouped walk, branch for branch, in every mode; and it must actually group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest, ofKind } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { serviceFacts, serviceWalker, walkFact } from '../../extension/src/engine/facts/service';
import { egressDeciderFor } from '../../extension/src/engine/egress';
import { Walker } from '../../extension/src/engine/walk/walk';
import { clientIpLostMessage } from '../../extension/src/engine/facts/diagnostics';
import { messagesFor } from '../../extension/src/engine/i18n';

const MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs'];
const PROFILE = `proxyMode: iptables
nodeName: node-a
clusterCIDR: 10.244.0.0/16
nodes:
  - { name: node-a, ips: [192.168.0.2], podCIDR: 10.244.0.0/24, podGateway: 10.244.0.1 }
  - { name: node-b, ips: [192.168.0.3], podCIDR: 10.244.1.0/24, podGateway: 10.244.1.1 }
  - { name: node-c, ips: [192.168.0.4], podCIDR: 10.244.2.0/24 }
`;

/** A Service with `n` endpoints spread over three nodes, one outside the cluster and one not ready. */
function manifest(n: number, policy: 'Cluster' | 'Local', affinity: boolean): string {
  const nodes = ['node-a', 'node-b', 'node-c'];
  const endpoints = Array.from({ length: n }, (_, i) => `  - addresses: ["10.244.${i % 3}.${10 + i}"]\n    nodeName: ${nodes[i % 3]}\n    conditions: { ready: ${i !== 4} }`);
  return `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.50
  externalIPs: [192.0.2.10]
  externalTrafficPolicy: ${policy}
  ${affinity ? 'sessionAffinity: ClientIP' : ''}
  ports: [{ name: http, port: 80, targetPort: 8080, nodePort: 30080 }]
status: { loadBalancer: { ingress: [{ ip: 198.51.100.7 }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: shop, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
ports: [{ name: http, port: 8080 }]
endpoints:
${endpoints.join('\n')}
  - addresses: ["172.16.0.9"]
`;
}

function factsBothWays(text: string, profileText: string, mode: ProxyMode, what: string): { grouped: number; branches: number } {
  const file = parseManifest(text, 'input.yaml');
  const profile = withProxyMode(parseProfile(profileText).profile, mode);
  const model = buildClusterModel(file.objects, profile);
  const egress = egressDeciderFor([file], profile);
  let grouped = 0, branches = 0;
  for (const entry of model.services) entry.ports.forEach((_, portIndex) => {
    const facts = serviceFacts(entry, model, portIndex);
    const walker = serviceWalker(entry, model);
    for (const e of facts.entries) {
      const label = `${what} ${mode} ${facts.service} ${e.client} ${e.via} on ${e.node}`;
      assert.deepEqual(e, walkFact(walker.trace(e.request), e.via), label);
      grouped += walker.branches(e.request).outcomes.length;
      branches += walker.trace(e.request).outcomes.length;
    }
    // an endpoint reaching its own Service (the hairpin rule matches its source) and a walker with the CNI's egress
    const withEgress = new Walker(model, new Map(), mode, egress);
    for (const ep of entry.ports[portIndex]!.endpoints.slice(0, 3)) {
      if (!ep.nodeName || !walker.network.node(ep.nodeName)) continue;
      const request = { source: { kind: 'pod' as const, ip: ep.ip, node: ep.nodeName }, dst: entry.ports[portIndex]!.info.clusterIP, dport: entry.ports[portIndex]!.info.port, proto: 'tcp' as const };
      for (const w of [walker, withEgress]) {
        const fromBranches = walkFact({ ...w.trace(request), outcomes: w.branches(request).outcomes }, 'clusterIP');
        assert.deepEqual(fromBranches, walkFact(w.trace(request), 'clusterIP'), `${what} ${mode} hairpin from ${ep.ip}`);
      }
    }
  });
  return { grouped, branches };
}

for (const mode of MODES) {
  test(`${mode}: grouped facts equal the ungrouped walk's, and group endpoints`, () => {
    for (const policy of ['Cluster', 'Local'] as const) for (const affinity of [false, true]) {
      const { grouped, branches } = factsBothWays(manifest(9, policy, affinity), PROFILE, mode, `${policy}${affinity ? ' affinity' : ''}`);
      // nine pod endpoints on three nodes: a few classes instead of every branch (affinity keeps them apart)
      if (affinity) assert.equal(grouped, branches);
      else assert.ok(grouped * 2 < branches, `${policy}: ${grouped} grouped outcomes for ${branches} branches`);
    }
  });

  test(`${mode}: grouped facts equal the ungrouped walk's for the examples and fixtures`, () => {
    const root = new URL('../../', import.meta.url).pathname;
    const profileText = readFileSync(join(root, 'examples/cluster.yaml'), 'utf8');
    const dirs = ['examples', 'test/fixtures/findings', 'test/fixtures/topology', 'test/fixtures/egress'];
    let compared = 0;
    for (const dir of dirs) for (const name of readdirSync(join(root, dir)).filter(f => f.endsWith('.yaml') && f !== 'cluster.yaml' && !f.endsWith('profile.yaml'))) {
      const text = readFileSync(join(root, dir, name), 'utf8');
      if (ofKind(parseManifest(text, name).objects, 'Service').length === 0) continue;
      factsBothWays(text, profileText, mode, name);
      compared++;
    }
    assert.ok(compared > 5, `${compared} files compared`);
  });
}

test('client-ip-lost names the address each group of pods sees, not every endpoint (en and de)', () => {
  const file = parseManifest(manifest(9, 'Cluster', false), 'input.yaml');
  const model = buildClusterModel(file.objects, parseProfile(PROFILE).profile);
  const facts = serviceFacts(model.services[0]!, model);
  const en = clientIpLostMessage(facts)!;
  // on node-a: its own three pods see its gateway, node-b's and node-c's see node-a's address; the pod outside the nodes too
  assert.match(en, /entering node-a, the 3 pods on node-a \(10\.244\.0\.10:8080, 10\.244\.0\.13:8080, 10\.244\.0\.16:8080\) see 10\.244\.0\.1, the 2 pods on node-b \(10\.244\.1\.11:8080, 10\.244\.1\.17:8080\) see 192\.168\.0\.2, /);
  assert.match(en, /the pod 172\.16\.0\.9:8080 sees 192\.168\.0\.2/);
  assert.doesNotMatch(en, / at 10\./);
  const de = clientIpLostMessage(facts, messagesFor('de'))!;
  assert.match(de, /über node-a: die 3 Pods auf node-a \(10\.244\.0\.10:8080, 10\.244\.0\.13:8080, 10\.244\.0\.16:8080\) sehen 10\.244\.0\.1, /);
  // 200 pods: three named per node, the rest counted
  const many = parseManifest(manifest(200, 'Cluster', false), 'input.yaml');
  const manyModel = buildClusterModel(many.objects, parseProfile(PROFILE).profile);
  const text = clientIpLostMessage(serviceFacts(manyModel.services[0]!, manyModel))!;
  assert.match(text, /entering node-a, the 67 pods on node-a \((10\.244\.0\.\d+:8080, ){3}64 more\) see 10\.244\.0\.1, the 66 pods on node-b \((10\.244\.1\.\d+:8080, ){3}63 more\) see 192\.168\.0\.2/);
  assert.ok(text.length < 1500, `${text.length} characters`);
});
