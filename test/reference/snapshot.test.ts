// natlens snapshot against the real kube-apiserver of the reference cluster (RBAC, and an audit log):
// the snapshot's profile and objects equal what was applied, `natlens rules` on the snapshot equals
// the real kube-proxy's rules, kube-proxy's settings are found in a kubeadm-style ConfigMap, a
// GKE-style static-pod mirror and a k3s node-args annotation, a role that allows less makes the
// snapshot name what it could not read, and the audit log shows no verb but get, list and watch.
// One control plane for the whole file; skipped where the reference cluster cannot run.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { main, run, type CliIO } from '../../extension/src/cli/main';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, type ClusterProfile } from '../../extension/src/engine/model/profile';
import { ensureBuilt, referenceUnavailable } from './build';
import { canonicalIptables, unifiedDiff } from './canonical';
import type { ControlPlane } from './controlPlane';
import { kubeProxyConfig } from './kubeProxy';
import { environmentProfile, ReferenceHarness, type BatchResult } from './reference';

const unavailable = referenceUnavailable();
if (unavailable) console.log(`# reference cluster unavailable, skipping the snapshot tests: ${unavailable}`);

const PROFILE = parseProfile(`kubernetesVersion: "1.34"
proxyMode: iptables
nodeName: node-a
clusterCIDR: 10.244.0.0/16
masqueradeBit: 12
localhostNodePorts: false
nodes:
  - { name: node-a, ips: [192.168.0.2], podCIDR: 10.244.0.0/24 }
  - { name: node-b, ips: [192.168.0.3], podCIDR: 10.244.1.0/24 }
`).profile;
const ZONES: Record<string, string> = { 'node-a': 'eu-west-1a', 'node-b': 'eu-west-1b' };

const MANIFESTS = parseManifest(`apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx, ports: [{ containerPort: 8080, name: http }] }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80, targetPort: http }] }
---
apiVersion: v1
kind: Service
metadata: { name: web-public, namespace: shop }
spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 80, targetPort: 8080 }] }
`, 'shop.yaml').objects;

type Obj = Record<string, unknown>;

const SNAPSHOT_RULES = [
  { apiGroups: [''], resources: ['services', 'nodes', 'configmaps', 'pods'], verbs: ['get', 'list'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list'] },
  { apiGroups: ['networking.k8s.io'], resources: ['servicecidrs'], verbs: ['get', 'list'] },
  { apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get', 'list'] },
  { apiGroups: ['crd.projectcalico.org'], resources: ['ippools', 'felixconfigurations'], verbs: ['get', 'list'] },
];
/** Less than the snapshot asks for: no ConfigMaps, Pods or DaemonSets. */
const PARTIAL_RULES = [SNAPSHOT_RULES[1]!, SNAPSHOT_RULES[2]!, SNAPSHOT_RULES[4]!, { apiGroups: [''], resources: ['services', 'nodes'], verbs: ['get', 'list'] }];

/**
 * A service account bound to a ClusterRole of `rules`, and a kubeconfig for it whose credential comes
 * from an exec plugin (a shell script printing an ExecCredential), as GKE's and EKS's do.
 */
async function reader(cp: ControlPlane, dir: string, name: string, rules: Obj[]): Promise<string> {
  const create = (path: string, body: Obj) => cp.call('POST', path, body);
  await create('/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules });
  await create('/api/v1/namespaces/kube-system/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'kube-system' } });
  await create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: 'kube-system' }],
  });
  const tr = await cp.call<{ status: { token: string } }>('POST', `/api/v1/namespaces/kube-system/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } });
  const plugin = join(dir, `${name}-credential.sh`);
  writeFileSync(plugin, '#!/bin/sh\n[ -n "$KUBERNETES_EXEC_INFO" ] || { echo "no KUBERNETES_EXEC_INFO" >&2; exit 1; }\n'
    + 'printf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\' "$READER_TOKEN"\n');
  chmodSync(plugin, 0o755);
  const server = /server: '([^']+)'/.exec(readFileSync(cp.kubeconfig, 'utf8'))![1]!;
  const kubeconfig = join(dir, `${name}.kubeconfig`);
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name: 'reference', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, env: [{ name: 'READER_TOKEN', value: tr.status.token }], interactiveMode: 'Never' } } }],
    contexts: [{ name, context: { cluster: 'reference', user: name } }],
  }));
  return kubeconfig;
}

interface Taken { code: number; err: string; dir: string; profile: ClusterProfile; raw: Obj }

async function snapshot(kubeconfig: string, out: string, namespaces: string[] = ['shop']): Promise<Taken> {
  let err = '';
  const io: CliIO = { out: () => {}, err: s => { err += s; } };
  const code = await run(['snapshot', '--kubeconfig', kubeconfig, ...namespaces.flatMap(n => ['--namespace', n]), '-o', out], io);
  const text = existsSync(join(out, 'cluster.yaml')) ? readFileSync(join(out, 'cluster.yaml'), 'utf8') : '';
  const parsed = parseProfile(text, 'cluster.yaml');
  assert.deepEqual(parsed.problems.map(p => p.message), [], `the snapshot's profile parses (${err})`);
  return { code, err, dir: out, profile: parsed.profile, raw: (parseYaml(text) ?? {}) as Obj };
}

const kubeProxyDaemonSet = (command: string[]): Obj => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'kube-proxy', namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
  spec: {
    selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
    template: { metadata: { labels: { 'k8s-app': 'kube-proxy' } }, spec: { hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.34.4', command }] } },
  },
});

test('natlens snapshot against the reference kube-apiserver', { skip: unavailable ?? false, timeout: 15 * 60_000 }, async t => {
  const built = ensureBuilt(line => t.diagnostic(line));
  const work = mkdtempSync(join(tmpdir(), 'natlens-snapshot-'));
  const auditLog = join(work, 'audit.log');
  const harness = await ReferenceHarness.start(built, PROFILE, { auditLog });
  const cp = harness.cp;
  try {
    const env = (await environmentProfile(built, PROFILE)).profile;
    let full: Taken | null = null;
    let fullReader = '';
    const result: BatchResult = await harness.runBatch(MANIFESTS, PROFILE, {
      modes: ['iptables'],
      // while the real kube-proxy's rules are in place: kubeadm's way of configuring it, zones, a snapshot
      whileRunning: async () => {
        await cp.call('POST', '/api/v1/namespaces/kube-system/configmaps', {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' },
          // the configuration the real kube-proxy of this test runs with, as kubeadm stores it
          data: { 'config.conf': JSON.stringify(kubeProxyConfig(env, 'iptables', '', '/var/lib/kube-proxy/kubeconfig.conf'), null, 2), 'kubeconfig.conf': 'apiVersion: v1\nkind: Config\n' },
        });
        await cp.call('POST', '/apis/apps/v1/namespaces/kube-system/daemonsets', kubeProxyDaemonSet(['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)']));
        for (const [node, zone] of Object.entries(ZONES)) {
          await cp.call('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { 'topology.kubernetes.io/zone': zone } } }, 'application/merge-patch+json');
        }
        fullReader = await reader(cp, work, 'natlens-snapshot', SNAPSHOT_RULES);
        full = await snapshot(fullReader, join(work, 'kubeadm'));
      },
    });
    assert.ok(full, 'the snapshot was taken');
    const s = full as Taken;
    assert.equal(s.code, 0, s.err);
    assert.equal(s.err.includes('could not read'), false, s.err);

    await t.test('the profile equals what was applied: nodes, addresses, pod CIDRs, kube-proxy mode and flags', () => {
      const p = s.profile;
      assert.deepEqual(p.nodes.map(n => ({ name: n.name, ips: n.ips, podCIDR: n.podCIDR })), PROFILE.nodes.map(n => ({ name: n.name, ips: n.ips, podCIDR: n.podCIDR })));
      assert.equal(p.proxyMode, 'iptables');
      assert.equal(p.clusterCIDR, '10.244.0.0/16');
      assert.equal(p.masqueradeBit, 12);
      assert.equal(p.localhostNodePorts, false);
      assert.equal(p.masqueradeAll, false);
      assert.equal(p.sources?.['masqueradeBit'], 'ConfigMap kube-system/kube-proxy (config.conf): iptables.masqueradeBit');
      assert.equal(p.sources?.['proxyMode'], 'ConfigMap kube-system/kube-proxy (config.conf): mode');
      assert.deepEqual(p.serviceCIDRs, PROFILE.serviceCIDRs);
      // the reference API server is built from the Go module without release stamping
      assert.match(p.sources?.['kubernetesVersion'] ?? '', /^unknown, because the server reports v0\.0\.0/);
      assert.equal(p.snapshot?.cluster, 'natlens-snapshot');
      assert.ok(p.snapshot && p.snapshot.tookMs >= 0 && Date.parse(p.snapshot.takenAt) > 0);
    });

    await t.test('the objects equal what was applied: Services, EndpointSlices, Nodes with zones', async () => {
      const live = await cp.call<{ items: Obj[] }>('GET', '/api/v1/namespaces/shop/services');
      const services = parseManifest(readFileSync(join(s.dir, 'services.yaml'), 'utf8'), 'services.yaml').objects;
      const spec = (o: Obj) => { const sp = o['spec'] as Obj; return { clusterIP: sp['clusterIP'], ports: sp['ports'], type: sp['type'], externalTrafficPolicy: sp['externalTrafficPolicy'] }; };
      assert.deepEqual(services.map(o => spec(o.object as unknown as Obj)), live.items.map(spec));
      const slices = parseManifest(readFileSync(join(s.dir, 'endpointslices.yaml'), 'utf8'), 'endpointslices.yaml').objects;
      const liveSlices = await cp.call<{ items: Obj[] }>('GET', '/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices');
      const endpoints = (o: Obj) => JSON.stringify((o['endpoints'] as Obj[] | undefined ?? []).map(e => [e['addresses'], e['nodeName'], e['zone']]).sort());
      assert.deepEqual(slices.map(o => endpoints(o.object as unknown as Obj)).sort(), liveSlices.items.map(endpoints).sort());
      assert.equal(slices.length, 2);
      const nodes = parseManifest(readFileSync(join(s.dir, 'nodes.yaml'), 'utf8'), 'nodes.yaml');
      const zones = Object.fromEntries((nodes.documents.map(d => d.value) as Obj[]).map(n => [((n['metadata'] as Obj)['name']), ((n['metadata'] as Obj)['labels'] as Obj)['topology.kubernetes.io/zone']]));
      assert.deepEqual(zones, ZONES);
    });

    await t.test('natlens rules on the snapshot equals the real kube-proxy\'s rules', () => {
      // the two settings no API object holds come from this machine, as the harness gives them to kube-proxy
      const here = join(work, 'profile-here.json');
      writeFileSync(here, JSON.stringify({ ...s.raw, iptablesRandomFully: env.iptablesRandomFully, nfacctCounters: env.nfacctCounters }));
      for (const n of result.nodes) {
        let out = '', err = '';
        const code = main(['rules', '--cluster', here, '--node', n.node, '--format', 'save', s.dir], { out: x => { out += x; }, err: x => { err += x; } });
        assert.equal(code, 0, err);
        const diff = unifiedDiff(n.real, canonicalIptables(out), `kube-proxy ${n.node}`, `natlens rules on the snapshot, ${n.node}`);
        assert.equal(diff, '', diff.slice(0, 4000));
      }
      assert.equal(result.nodes.length, 2);
    });

    await t.test('GKE: kube-proxy\'s flags on its static pod\'s mirror Pod', async () => {
      await cp.call('DELETE', '/api/v1/namespaces/kube-system/configmaps/kube-proxy');
      await cp.call('DELETE', '/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy');
      await cp.call('POST', '/api/v1/namespaces/kube-system/pods', {
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'kube-proxy-node-a', namespace: 'kube-system', labels: { component: 'kube-proxy', tier: 'node' }, annotations: { 'kubernetes.io/config.mirror': 'e3b0c44298fc' } },
        spec: { nodeName: 'node-a', hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'gke.gcr.io/kube-proxy-amd64:v1.34.4-gke.100', command: ['/bin/sh', '-c',
          'exec kube-proxy --master=https://10.0.0.2 --kubeconfig=/var/lib/kube-proxy/kubeconfig --cluster-cidr=10.4.0.0/14 --oom-score-adj=-998 --v=2 --iptables-sync-period=1m --iptables-min-sync-period=10s --ipvs-sync-period=1m --proxy-mode=ipvs --ipvs-scheduler=lc --iptables-masquerade-bit=13 1>>/var/log/kube-proxy.log 2>&1'] }] },
      });
      const g = await snapshot(fullReader, join(work, 'gke'));
      assert.equal(g.code, 0, g.err);
      assert.deepEqual([g.profile.proxyMode, g.profile.clusterCIDR, g.profile.ipvsScheduler, g.profile.masqueradeBit], ['ipvs', '10.4.0.0/14', 'lc', 13]);
      assert.equal(g.profile.sources?.['proxyMode'], 'Pod kube-system/kube-proxy-node-a (static pod) container kube-proxy: --proxy-mode');
    });

    await t.test('RBAC: with less than get/list on what it reads, the snapshot names what it could not read and carries on', async () => {
      const partial = await reader(cp, work, 'natlens-partial', PARTIAL_RULES);
      const p = await snapshot(partial, join(work, 'partial'));
      assert.equal(p.code, 0, p.err);
      for (const what of ['ConfigMap kube-system/kube-proxy', 'DaemonSets in kube-system', 'Pods in kube-system']) {
        assert.match(p.err, new RegExp(`could not read ${what}: .*forbidden.*\\(403\\)`), p.err);
        assert.ok(p.profile.snapshot?.unreadable?.some(l => l.startsWith(`${what}:`)), `${what} in the profile's unreadable list`);
      }
      assert.match(p.profile.sources?.['proxyMode'] ?? '', /^unknown, because no kube-proxy configuration could be read/);
      assert.deepEqual(p.profile.nodes.map(n => n.name), ['node-a', 'node-b'], 'what it may read, it read');
      assert.equal(parseManifest(readFileSync(join(p.dir, 'services.yaml'), 'utf8'), 'services.yaml').objects.length, 2);
    });

    await t.test('k3s: the node-args annotation', async () => {
      await cp.call('DELETE', '/api/v1/namespaces/kube-system/pods/kube-proxy-node-a?gracePeriodSeconds=0');
      const args = ['server', '--cluster-cidr', '10.42.0.0/16', '--kube-proxy-arg', 'proxy-mode=nftables', '--kube-proxy-arg=masquerade-all=true', '--token', '********'];
      await cp.call('PATCH', '/api/v1/nodes/node-b', { metadata: { annotations: { 'k3s.io/node-args': JSON.stringify(args) } } }, 'application/merge-patch+json');
      const k = await snapshot(fullReader, join(work, 'k3s'));
      assert.equal(k.code, 0, k.err);
      assert.deepEqual([k.profile.proxyMode, k.profile.clusterCIDR, k.profile.masqueradeAll], ['nftables', '10.42.0.0/16', true]);
      assert.equal(k.profile.sources?.['clusterCIDR'], 'Node node-b annotation k3s.io/node-args: --cluster-cidr');
    });

    await t.test('no verb but get, list and watch reached the API server from a snapshot (audit log)', async () => {
      await new Promise(r => setTimeout(r, 500));
      const events = readFileSync(auditLog, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l) as { verb: string; requestURI: string; stage: string; user: { username: string } });
      const ours = events.filter(e => /^system:serviceaccount:kube-system:natlens-(snapshot|partial)$/.test(e.user.username));
      assert.ok(ours.length > 20, `the snapshots' requests are in the audit log (${ours.length})`);
      assert.deepEqual([...new Set(ours.map(e => e.verb))].sort(), ['get', 'list']);
      assert.deepEqual(ours.filter(e => /\/secrets/.test(e.requestURI)).map(e => e.requestURI), [], 'no Secret is ever read');
    });
  } finally {
    await harness.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
