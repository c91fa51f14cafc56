// Issue 13 ("Real clusters"): each case with a manifest of its own (test/fixtures/topology/), checked
// on every surface: `natlens rules`, `natlens trace --json`, `natlens explain` (the hover's text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { deriveHints } from '../../extension/src/engine/model/topology';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/fixtures/topology', name);
const profile = join(root, 'examples/cluster.yaml');

test('service-proxy-name: no rules on any mode, and every surface says another proxy implements it', () => {
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    const rules = cli('rules', '--cluster', profile, '--mode', mode, fixture('service-proxy-name.yaml'));
    assert.equal(rules.code, 0, rules.err);
    assert.doesNotMatch(rules.out, /shop\/mesh|10\.96\.0\.50|30050/, mode);
    assert.match(rules.out, /10\.96\.0\.51/, `${mode}: the unlabelled Service keeps its rules`);
    assert.match(rules.err, /note: shop\/mesh: .*service-proxy-name=example-proxy/);
  }
  const trace = cli('trace', '--json', '--cluster', profile, '--src', '203.0.113.10', '--dst', '192.168.0.2', '--dport', '30050', '--node', 'node-a', fixture('service-proxy-name.yaml'));
  const walk = JSON.parse(trace.out);
  assert.equal(walk.verdict, 'NONE');
  assert.deepEqual(walk.notProgrammed.map((n: { service: string; reason: unknown }) => [n.service, n.reason]), [['shop/mesh', { kind: 'service-proxy-name', proxy: 'example-proxy' }]]);
  const toClusterIP = JSON.parse(cli('trace', '--json', '--cluster', profile, '--src', '10.244.0.30', '--dst', '10.96.0.50', '--dport', '80', fixture('service-proxy-name.yaml')).out);
  assert.equal(toClusterIP.verdict, 'NONE');
  assert.match(toClusterIP.summary, /service-proxy-name=example-proxy/);
  const facts = JSON.parse(cli('explain', '--format', 'json', '--cluster', profile, '--service', 'shop/mesh', fixture('service-proxy-name.yaml')).out);
  assert.deepEqual(facts.entries, []);
  assert.deepEqual(facts.findings, []);
  assert.match(facts.lens, /^no kube-proxy rules: service-proxy-name example-proxy/);
  // the hover on any field (here spec.type) says so instead of walking rules that do not exist
  const hover = cli('explain', '--cluster', profile, '--at', '9:5', fixture('service-proxy-name.yaml'));
  assert.match(hover.out, /^\*\*kube-proxy programs no rules for this Service: its label service\.kubernetes\.io\/service-proxy-name=example-proxy/);
  assert.doesNotMatch(hover.out, /SNAT|DNAT to/);
});

test('headless: a clusterIP None Service and an EndpointSlice labelled headless get no rules, and say why', () => {
  const rules = cli('rules', '--cluster', profile, fixture('headless.yaml'));
  assert.match(rules.err, /note: shop\/db: Headless Service: kube-proxy programs no rules/);
  assert.doesNotMatch(rules.out, /shop\/db/);
  // kube-proxy sees the Service cache but not its only slice: no endpoints, so the ClusterIP rejects
  assert.match(rules.out, /shop\/cache:redis has no endpoints/);
  assert.doesNotMatch(rules.out, /10\.244\.0\.20/);
  const walk = JSON.parse(cli('trace', '--json', '--cluster', profile, '--src', '10.244.0.30', '--dst', '10.96.0.60', '--dport', '6379', fixture('headless.yaml')).out);
  assert.equal(walk.verdict, 'REJECT');
  assert.deepEqual(walk.notProgrammed.map((n: { service: string; hiddenSlices: string[] }) => [n.service, n.hiddenSlices]), [['shop/cache', ['cache-abc12']]]);
  const cache = cli('explain', '--cluster', profile, '--service', 'shop/cache', fixture('headless.yaml'));
  assert.match(cache.out, /kube-proxy does not see the EndpointSlice cache-abc12/);
  const db = JSON.parse(cli('explain', '--format', 'json', '--cluster', profile, '--service', 'shop/db', fixture('headless.yaml')).out);
  assert.match(db.summary, /^Headless Service: kube-proxy programs no rules/);
  assert.deepEqual(db.entries, []);
});

const zonesProfile = fixture('zones-cluster.yaml');
const lineOf = (file: string, needle: string, nth = 0) => readFileSync(file, 'utf8').split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => l.includes(needle))[nth]![1];

test('zones: PreferClose keeps each node to its zone in every mode, and the percentages follow', () => {
  for (const mode of ['iptables', 'nftables', 'ipvs']) {
    const c = cli('rules', '--cluster', zonesProfile, '--mode', mode, '--node', 'node-c', fixture('zones.yaml'));
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /10\.244\.2\.10/, `${mode}: node-c keeps its own zone's endpoint`);
    assert.doesNotMatch(c.out, /10\.244\.[01]\.10/, `${mode}: node-c drops zone-a's endpoints`);
    const a = cli('rules', '--cluster', zonesProfile, '--mode', mode, '--node', 'node-a', fixture('zones.yaml')).out;
    assert.match(a, /10\.244\.0\.10/);
    assert.match(a, /10\.244\.1\.10/);
    assert.doesNotMatch(a, /10\.244\.2\.10/, `${mode}: node-a drops zone-b's endpoint`);
  }
  const fromC = JSON.parse(cli('trace', '--json', '--cluster', zonesProfile, '--src', '10.244.2.50', '--dst', '10.96.0.70', '--dport', '80', fixture('zones.yaml')).out);
  assert.deepEqual(fromC.endpoints.map((e: { endpoint: string; probability: number }) => [e.endpoint, e.probability]), [['10.244.2.10:8080', 1]]);
  const fromA = JSON.parse(cli('trace', '--json', '--cluster', zonesProfile, '--src', '10.244.0.50', '--dst', '10.96.0.70', '--dport', '80', fixture('zones.yaml')).out);
  assert.deepEqual(fromA.endpoints.map((e: { endpoint: string; probability: number }) => [e.endpoint, e.probability]), [['10.244.0.10:8080', 0.5], ['10.244.1.10:8080', 0.5]]);
  const hover = cli('explain', '--cluster', zonesProfile, '--at', `${lineOf(fixture('zones.yaml'), 'trafficDistribution: PreferClose')}:5`, fixture('zones.yaml')).out;
  assert.match(hover, /^\*\*trafficDistribution: PreferClose — .*every node routes by topology/);
  assert.match(hover, /- node-c \(zone zone-b\): only the endpoints hinted for its zone → 10\.244\.2\.10:8080 \(node-c\) 100%/);
  assert.match(hover, /- node-a \(zone zone-a\): .* 10\.244\.0\.10:8080 \(node-a\) 50%, 10\.244\.1\.10:8080 \(node-b\) 50%/);
});

test('zones: without zones (the default profile) nothing changes: every endpoint, 33.3 % each', () => {
  const walk = JSON.parse(cli('trace', '--json', '--cluster', profile, '--src', '10.244.0.50', '--dst', '10.96.0.70', '--dport', '80', fixture('zones.yaml')).out);
  assert.equal(walk.endpoints.length, 3);
  const hover = cli('explain', '--cluster', profile, '--at', `${lineOf(fixture('zones.yaml'), 'trafficDistribution: PreferClose')}:5`, fixture('zones.yaml')).out;
  assert.match(hover, /no node routes by topology here/);
  assert.match(hover, /- node-a \(no zone label\): no node has a topology\.kubernetes\.io\/zone label, so the EndpointSlice controller writes no zone hints .* 33\.3%/);
});

test('topology-mode Auto: too few endpoints for the zones, so the controller writes no hints, and the hover says why', () => {
  const file = fixture('zones.yaml');
  const hover = cli('explain', '--cluster', zonesProfile, '--at', `${lineOf(file, 'topology-mode: Auto')}:18`, file).out;
  assert.match(hover, /^\*\*service\.kubernetes\.io\/topology-mode: Auto — the EndpointSlice controller writes no hints here \(Unable to allocate minimum required endpoints to each zone without exceeding overload threshold \(2 endpoints, 2 zones\)\)/);
  assert.match(hover, /Assumed: allocatable CPU of node-a, node-b, node-c not in the input/);
  const fromC = JSON.parse(cli('trace', '--json', '--cluster', zonesProfile, '--src', '10.244.2.50', '--dst', '10.96.0.71', '--dport', '80', file).out);
  assert.equal(fromC.endpoints.length, 2, 'no hints: node-c uses both zone-a endpoints');
});

test('PreferSameNode hints: honoured from 1.34; on 1.33 (gate off) kube-proxy falls back to the zone hints', () => {
  const file = fixture('zones.yaml');
  const at = `${lineOf(file, 'trafficDistribution: PreferSameNode')}:5`;
  const trace = (cluster: string) => JSON.parse(cli('trace', '--json', '--cluster', cluster, '--src', '10.244.0.50', '--dst', '10.96.0.72', '--dport', '6379', file).out).endpoints.map((e: { endpoint: string }) => e.endpoint);
  assert.deepEqual(trace(zonesProfile), ['10.244.0.30:6379']);
  assert.match(cli('explain', '--cluster', zonesProfile, '--at', at, file).out, /- node-a \(zone zone-a\): only the endpoints hinted for this node → 10\.244\.0\.30:6379 \(node-a\) 100%/);
  const dir = mkdtempSync(join(tmpdir(), 'natlens-topology-'));
  try {
    const old = join(dir, 'cluster-1.33.yaml');
    writeFileSync(old, `kubernetesVersion: "1.33"\n${readFileSync(zonesProfile, 'utf8')}`);
    assert.deepEqual(trace(old), ['10.244.0.30:6379', '10.244.1.30:6379']);
    const hover = cli('explain', '--cluster', old, '--at', at, file).out;
    assert.match(hover, /^\*\*trafficDistribution: PreferSameNode needs the PreferSameTrafficDistribution feature gate \(off by default in 1\.33\)/);
    assert.match(hover, /The EndpointSlices carry hints all the same/);
  } finally { rmSync(dir, { recursive: true }); }
});

test('topology-mode Auto redistributes hints towards a zone with more CPU (topologycache)', () => {
  const eps = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map(ip => ({
    ip, port: 80, key: `${ip}:80`, nodeName: 'a1', ready: true, serving: true, terminating: false, zoneHints: [], nodeHints: [], origin: 'derived' as const, from: 'x',
  }));
  const nodes = [{ name: 'a1', zone: 'zone-a', allocatableMilliCPU: 1000 }, { name: 'b1', zone: 'zone-b', allocatableMilliCPU: 3000 }];
  const out = deriveHints(eps, { kind: 'auto', annotation: 'service.kubernetes.io/topology-mode' }, nodes);
  // zone-b's share is 3 of 4 endpoints: three of zone-a's endpoints are hinted for zone-b
  assert.deepEqual(out.endpoints.map(e => e.zoneHints[0]).sort(), ['zone-a', 'zone-b', 'zone-b', 'zone-b']);
  assert.equal(out.removed, undefined);
  const oneZone = deriveHints(eps, { kind: 'auto', annotation: 'service.kubernetes.io/topology-mode' }, [nodes[0]!]);
  assert.equal(oneZone.removed, 'Nodes only ready in one zone');
  const noZone = deriveHints(eps, { kind: 'auto', annotation: 'service.kubernetes.io/topology-mode' }, [nodes[0]!, { name: 'c1' }]);
  assert.match(noZone.removed!, /^Insufficient Node information/);
  // a control-plane node does not count towards the zones' CPU
  const withCP = deriveHints(eps, { kind: 'auto', annotation: 'service.kubernetes.io/topology-mode' }, [...nodes, { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } }]);
  assert.equal(withCP.removed, undefined);
});

test('Node objects (kubectl get nodes -o yaml) define the nodes: addresses, pod CIDR, zone; they win over the profile', () => {
  const nodes = fixture('nodes.yaml'), services = fixture('nodes-services.yaml');
  const rules = cli('rules', '--verbose', '--node', 'worker-2', nodes, services);
  assert.equal(rules.code, 0, rules.err);
  // worker-2 in zone eu-west-1b keeps only its own zone's endpoint (PreferClose) and answers on its own address
  assert.match(rules.out, /shop\/web:http -> 10\.244\.2\.10:8080/);
  assert.doesNotMatch(rules.out, /10\.244\.1\.10/);
  assert.match(rules.err, /assumption: Node\/worker-1 node = 10\.0\.1\.11, 203\.0\.113\.21 pods 10\.244\.1\.0\/24 zone eu-west-1a/);
  assert.match(rules.err, /the profile's node node-a is not among the Node objects/);
  const walk = JSON.parse(cli('trace', '--json', '--src', '203.0.113.10', '--dst', '10.0.2.12', '--dport', '30080', '--node', 'worker-2', nodes, services).out);
  assert.equal(walk.verdict, 'DNAT');
  assert.deepEqual(walk.endpoints.map((e: { endpoint: string; node: string }) => [e.endpoint, e.node]), [['10.244.2.10:8080', 'worker-2']]);
  const explain = JSON.parse(cli('explain', '--format', 'json', '--service', 'shop/web', nodes, services).out);
  assert.deepEqual([...new Set(explain.entries.map((e: { node: string }) => e.node))], ['worker-1', 'worker-2']);
  // a profile entry of the same name adds what the Node does not say; one of another name is not modelled
  const dir = mkdtempSync(join(tmpdir(), 'natlens-nodes-'));
  try {
    const prof = join(dir, 'cluster.yaml');
    writeFileSync(prof, 'nodeName: worker-2\nnodes:\n  - { name: worker-2, ips: [192.168.9.9], podGateway: none }\n  - { name: node-x, ips: [192.168.9.10] }\n');
    const r = cli('rules', '--verbose', '--cluster', prof, nodes, services);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /node node-x profile nodes = not modelled/);
    assert.doesNotMatch(r.out, /192\.168\.9\.9/, 'the Node object\'s address wins');
    const viaX = cli('rules', '--cluster', prof, '--node', 'node-x', nodes, services);
    assert.equal(viaX.code, 2);
    assert.match(viaX.err, /--node node-x: not in the profile \(nodes: worker-2, worker-1\)/);
  } finally { rmSync(dir, { recursive: true }); }
});

test('detect-local modes: NodeCIDR, BridgeInterface and InterfaceNamePrefix write kube-proxy\'s matches, and the walk honours them', () => {
  const svc = join(root, 'examples/nodeport-local.yaml');
  const rules = (cluster: string, mode: string, node = 'node-a') => cli('rules', '--cluster', fixture(cluster), '--mode', mode, '--node', node, svc).out;
  // pkg/proxy/util/localdetector.go: -i NAME / ! -i NAME, a prefix with "+"; nftables iifname, a prefix with "*"
  assert.match(rules('detect-local-bridge.yaml', 'iptables'), /--dport 80 ! -i cni0 -j KUBE-MARK-MASQ\n/);
  assert.match(rules('detect-local-bridge.yaml', 'iptables'), /"pod traffic for shop\/web:http external destinations" -i cni0 -j KUBE-SVC-/);
  assert.match(rules('detect-local-bridge.yaml', 'ipvs'), /dst,dst ! -i cni0 -j KUBE-MARK-MASQ/);
  assert.match(rules('detect-local-prefix.yaml', 'iptables'), /! -i cali\+ -j KUBE-MARK-MASQ/);
  assert.match(rules('detect-local-prefix.yaml', 'nftables'), / iifname cali\* goto service-/);
  assert.match(rules('detect-local-prefix.yaml', 'nftables'), / iifname != cali\* jump mark-for-masquerade/);
  // NodeCIDR: each node's own pod CIDR
  assert.match(rules('detect-local-nodecidr.yaml', 'iptables', 'node-b'), /! -s 10\.244\.1\.0\/24 -j KUBE-MARK-MASQ/);
  assert.match(rules('detect-local-nodecidr.yaml', 'nftables', 'node-a'), /ip saddr != 10\.244\.0\.0\/24 jump mark-for-masquerade/);
  // a pod on node-a to node-b's NodePort (externalTrafficPolicy Local, no endpoint on node-b): with the cluster
  // CIDR it is pod traffic and short-circuited; by node CIDR or by interface it arrives as outside traffic and is dropped
  const walk = (cluster: string, mode: string) => JSON.parse(cli('trace', '--json', '--cluster', cluster, '--mode', mode, '--src', '10.244.0.30', '--dst', '192.168.0.3', '--dport', '30080', svc).out);
  for (const mode of ['iptables', 'nftables']) {
    assert.equal(walk(profile, mode).verdict, 'DNAT', mode);
    for (const f of ['detect-local-bridge.yaml', 'detect-local-prefix.yaml', 'detect-local-nodecidr.yaml']) assert.equal(walk(fixture(f), mode).verdict, 'DROP', `${mode} ${f}`);
  }
  // a pod's own connection to the ClusterIP comes in by the bridge: not masqueraded
  const own = JSON.parse(cli('trace', '--json', '--cluster', fixture('detect-local-bridge.yaml'), '--src', '10.244.0.30', '--dst', JSON.parse(cli('explain', '--format', 'json', '--cluster', fixture('detect-local-bridge.yaml'), svc).out).entries.find((e: { via: string }) => e.via === 'clusterIP').address.split(':')[0], '--dport', '80', svc).out);
  assert.equal(own.verdict, 'DNAT');
  assert.equal(own.masquerade, false);
  const bad = cli('rules', '--cluster', fixture('detect-local-bridge.yaml').replace('bridge', 'missing'), svc);
  assert.equal(bad.code, 2);
});
