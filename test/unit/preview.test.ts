// The preview state's debug commands: which Service and port they check, and that they follow the
// preview's node and proxy mode the way `natlens debug` would for the same choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { serviceChains } from '../../extension/src/engine/proxy/iptables/names';
import { nftServiceChains } from '../../extension/src/engine/proxy/nftables/names';
import { debugCommands } from '../../extension/src/engine/debug';
import { buildPreviewState, type PreviewSelection } from '../../extension/src/engine/preview/state';
import type { DebugView } from '../../protocol/preview';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

// a headless Service first (no port kube-proxy programs), then a NodePort Service with two ports
const MANIFEST = [
  '{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, spec: {replicas: 2, selector: {matchLabels: {app: web}},',
  '  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: web, ports: [{name: http, containerPort: 8080}, {name: metrics, containerPort: 9090}]}]}}}}',
  '---',
  '{apiVersion: v1, kind: Service, metadata: {name: peers, namespace: shop}, spec: {clusterIP: None, selector: {app: web}, ports: [{port: 7000, targetPort: 8080}]}}',
  '---',
  '{apiVersion: v1, kind: Service, metadata: {name: api, namespace: shop}, spec: {type: NodePort, clusterIP: 10.96.0.21, selector: {app: web}, ports: [',
  '  {name: http, port: 80, targetPort: http, nodePort: 30080}, {name: metrics, port: 9090, targetPort: metrics, nodePort: 30090}]}}',
  '---',
  '{apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}}',
].join('\n');

const model = buildClusterModel(parseManifest(MANIFEST, 'svc.yaml').objects, profile);
const entry = (name: string) => model.services.find(s => s.obj.name === name)!;

function debugFor(selection: Partial<PreviewSelection>, services = model.services): DebugView | null {
  const sel: PreviewSelection = { service: null, port: 0, node: 'node-a', mode: 'iptables', format: 'restore', trace: null, ...selection };
  return buildPreviewState({ fileName: 'svc.yaml', services, model, profileSource: 'examples/cluster.yaml', problems: [] }, sel).debug;
}
const commands = (d: DebugView | null) => d?.commands.map(c => c.command) ?? [];

test('all Services shown: the debug commands check the Service the port select shows (the first with a port)', () => {
  const d = debugFor({});
  assert.equal(d?.service, 'shop/api');
  assert.equal(d?.port, 'http 80/TCP');
  assert.deepEqual([d?.node, d?.mode], ['node-a', 'iptables']);
  assert.equal(debugFor({ service: 'shop/web' })?.service, 'shop/web');
});

test('iptables mode, NodePort: the Service\'s own KUBE-SVC chain, its ClusterIP and nodePort; the same commands as natlens debug', () => {
  const d = debugFor({});
  const chains = serviceChains(entry('api').ports[0]!.info);
  const list = commands(d);
  assert.ok(list.includes(`iptables -t nat -L ${chains.svc} -n -v`), list.join('\n'));
  assert.ok(list.includes('conntrack -L -d 10.96.0.21 -p tcp --dport 80'));
  assert.ok(list.includes('nc -vz -w 3 192.168.0.2 30080'));
  assert.ok(d!.commands.every(c => c.title && c.lookFor && c.runOn));
  const svcCheck = d!.commands.find(c => c.command.includes(chains.svc))!;
  assert.ok(svcCheck.expected.length > 0 && svcCheck.expected.every(l => l.startsWith(`-A ${chains.svc} `)));
  assert.deepEqual(list, debugCommands(model, entry('api'), { nodeName: 'node-a', proxyMode: 'iptables' }).map(c => c.command));
  // "Copy all": the checklist as the CLI prints it, every command after "$ "
  assert.match(d!.text, /^Check shop\/api port http 80\/TCP on node node-a \(iptables mode\)\n/);
  for (const c of list) assert.ok(d!.text.includes(`$ ${c}\n`), c);
});

test('the selected port: the second port\'s nodePort, not the first\'s', () => {
  const list = commands(debugFor({ port: 1 }));
  assert.ok(list.includes('nc -vz -w 3 192.168.0.2 30090'));
  assert.ok(!list.some(c => c.includes('30080')));
  assert.equal(debugFor({ port: 1 })?.port, 'metrics 9090/TCP');
});

test('nftables mode: nft list chain ip kube-proxy with the Service\'s chain', () => {
  const d = debugFor({ mode: 'nftables' });
  assert.equal(d?.mode, 'nftables');
  const chain = nftServiceChains(entry('api').ports[0]!.info).cluster;
  assert.ok(commands(d).includes(`nft list chain ip kube-proxy ${chain}`), commands(d).join('\n'));
  assert.ok(!commands(d).some(c => c.startsWith('iptables')));
});

test('another node: the node shell, the node commands and the NodePort address follow; kubectl checks do not', () => {
  const a = debugFor({ node: 'node-a' })!, b = debugFor({ node: 'node-b' })!;
  assert.equal(b.node, 'node-b');
  assert.ok(commands(b).includes('kubectl debug node/node-b -it --profile=sysadmin --image=busybox -- chroot /host'));
  assert.ok(commands(b).includes('nc -vz -w 3 192.168.0.3 30080') && !commands(b).includes('nc -vz -w 3 192.168.0.2 30080'));
  assert.ok(commands(b).includes('conntrack -L -d 192.168.0.3 -p tcp --dport 30080'));
  assert.ok(b.commands.some(c => c.runOn.startsWith('node node-b')) && !b.commands.some(c => c.runOn.startsWith('node node-a')));
  assert.deepEqual(commands(b).slice(0, 3), commands(a).slice(0, 3), 'kubectl get svc / traffic policy / endpointslices');
  assert.match(b.text, /on node node-b \(iptables mode\)/);
});

test('a file of only a headless Service: its commands without a port; a file without Services: none', () => {
  const d = debugFor({}, [entry('peers')]);
  assert.equal(d?.service, 'shop/peers');
  assert.equal(d?.port, null);
  assert.ok(commands(d).some(c => c.includes('nslookup peers.shop.svc.cluster.local')));
  assert.equal(debugFor({}, []), null);
});

test('a walk from a pod to the egress entry shows the CNI\'s SNAT and the nftables mode switch reads the profile as nftables', async () => {
  const { egressDeciderFor } = await import('../../extension/src/engine/egress');
  const file = parseManifest(MANIFEST, 'svc.yaml');
  const state = (selection: Partial<PreviewSelection>) => buildPreviewState({
    fileName: 'svc.yaml', services: model.services, model, profileSource: 'examples/cluster.yaml', problems: [], egress: egressDeciderFor([file], model.profile),
  }, { service: 'shop/api', port: 0, node: 'node-a', mode: 'iptables', format: 'restore', trace: null, ...selection });
  const s = state({ trace: { source: 'pod:node-a', entry: 'egress' } });
  assert.ok(s.entries.some(e => e.id === 'egress'));
  assert.equal(s.walk?.verdict, 'NONE');
  assert.match(s.walk!.summary, /leaves the cluster without a Service rule\. The CNI decides its source: flanneld --ip-masq \(default\): 93\.184\.216\.34 is outside the flannel network 10\.244\.0\.0\/16\. The destination sees 192\.168\.0\.2/);
  // the mode switch: nftables mode's own nodePortAddresses default (the primary node IP), as natlens rules --mode does
  assert.match(state({ mode: 'nftables' }).rules.text, /@nodeport-ips/);
});
