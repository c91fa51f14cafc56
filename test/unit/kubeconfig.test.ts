// kubeconfig reading as kubectl does it, and the live-vs-manifest comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubeconfigFiles, loadKubeconfig } from '../../extension/src/cli/kube/kubeconfig';
import { liveDifferences } from '../../extension/src/engine/snapshot/drift';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-kubeconfig-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('$KUBECONFIG merges: the first file to set a value wins; relative paths are relative to their file', () => withDir(dir => {
  writeFileSync(join(dir, 'ca.crt'), 'CA-PEM');
  writeFileSync(join(dir, 'a.yaml'), `apiVersion: v1
kind: Config
current-context: prod-eu
clusters:
  - name: eu
    cluster: { server: https://eu.example:6443/, certificate-authority: ca.crt, tls-server-name: api.eu }
contexts:
  - name: prod-eu
    context: { cluster: eu, user: sso, namespace: shop }
users:
  - name: sso
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: ./bin/kubelogin
        args: [get-token, --server-id, abc]
        env: [{ name: AAD_LOGIN_METHOD, value: azurecli }]
        provideClusterInfo: true
`);
  writeFileSync(join(dir, 'b.yaml'), `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - { name: eu, cluster: { server: https://shadowed.example } }
  - { name: dev, cluster: { server: https://127.0.0.1:6443, insecure-skip-tls-verify: true, certificate-authority-data: ${Buffer.from('X').toString('base64')} } }
contexts:
  - { name: dev, context: { cluster: dev, user: dev } }
users:
  - { name: dev, user: { token: abc123, client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')} } }
`);
  const files = kubeconfigFiles(undefined, { KUBECONFIG: [join(dir, 'a.yaml'), join(dir, 'missing.yaml'), join(dir, 'b.yaml')].join(delimiter) });
  const config = loadKubeconfig(files);
  assert.equal(config.currentContext, 'prod-eu');
  assert.deepEqual(config.contexts, ['prod-eu', 'dev']);
  const eu = config.connection();
  assert.equal(eu.server, 'https://eu.example:6443');
  assert.equal(eu.namespace, 'shop');
  assert.equal(eu.tlsServerName, 'api.eu');
  assert.equal(eu.ca?.toString(), 'CA-PEM');
  assert.deepEqual({ ...eu.exec }, {
    command: './bin/kubelogin', dir, args: ['get-token', '--server-id', 'abc'], env: [{ name: 'AAD_LOGIN_METHOD', value: 'azurecli' }],
    apiVersion: 'client.authentication.k8s.io/v1beta1', provideClusterInfo: true,
  });
  const dev = config.connection('dev');
  assert.equal(dev.insecure, true);
  assert.equal(dev.token, 'abc123');
  assert.equal(dev.cert?.toString(), 'CERT');
  assert.equal(dev.key?.toString(), 'KEY');
  assert.throws(() => config.connection('staging'), /context "staging" is not in .*contexts: prod-eu, dev/);
}));

test('kubeconfig errors are located and say what to do', () => withDir(dir => {
  const p = join(dir, 'config');
  writeFileSync(p, 'apiVersion: v1\nusers:\n  - name: old\n    user: { auth-provider: { name: gcp } }\ncontexts: [{ name: c, context: { cluster: k, user: old } }]\nclusters: [{ name: k, cluster: { server: https://k } }]\ncurrent-context: c\n');
  assert.throws(() => loadKubeconfig([p]).connection(), /auth-provider was removed from kubectl in 1\.26; use its exec credential plugin/);
  writeFileSync(p, 'clusters: [\n');
  assert.throws(() => loadKubeconfig([p]), new RegExp(`${p.replace(/[/.]/g, '\\$&')}:\\d+: `));
  assert.throws(() => loadKubeconfig([join(dir, 'nope')]), /nope: no such file/);
}));

test('live differences: after defaults, field by field, at the manifest\'s field', () => {
  const mine = parseManifest(`apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
`, 'web.yaml');
  const live = parseManifest(`apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  type: NodePort
  clusterIP: 10.96.1.2
  externalTrafficPolicy: Cluster
  internalTrafficPolicy: Cluster
  sessionAffinity: None
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 8081, nodePort: 30080, protocol: TCP }]
`, 'live.yaml');
  const diffs = liveDifferences(mine.objects, live.objects);
  assert.deepEqual(diffs.map(d => [d.field, d.manifest, d.live, d.range.start.line]), [
    ['spec.externalTrafficPolicy', 'Local', 'Cluster', 5],
    ['spec.ports[0].targetPort', '8080', '8081', 7],
  ]);
  assert.deepEqual(liveDifferences(live.objects, live.objects), []);
});
