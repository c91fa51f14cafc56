// One minimal manifest per class of real-world manifest that NAT Lens used to get wrong: labels
// controllers add to pods, ReplicationControllers, hostNetwork pods, kind: List, explicit null,
// duplicates across files, IP families the profile lacks, operator-made pods, undeclared ports,
// Local policy without evidence, exposed admin ports, kustomize, and check's run-level notes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { cli } from '../support/cli';
import { applyKustomization, sourceOf } from '../../extension/src/engine/manifest/kustomize';
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

function analyse(...texts: string[]) {
  const files: ManifestFile[] = texts.map((t, i) => parseManifest(t, `f${i}.yaml`));
  const model = buildClusterModel(files.flatMap(f => f.objects), profile);
  return { files, model, findings: files.flatMap(f => analyzeFile(f, model, { workspace: files })) };
}

const service = (name: string, selector: string, extra = '', port = 'port: 80, targetPort: 8080') => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: t}
spec:
  selector: {${selector}}
  ports: [{name: http, ${port}}]
${extra}`;

const workload = (kind: string, name: string, labels: string, spec = 'replicas: 2', apiVersion = 'apps/v1') => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: {name: ${name}, namespace: t}
spec:
  ${spec}
  template:
    metadata: {labels: {${labels}}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}
`;

const doc = (...parts: string[]) => parts.join('---\n');
const endpointsOf = (m: ReturnType<typeof analyse>['model'], name: string) => m.services.find(s => s.obj.name === name)!.ports[0]!.endpoints.map(e => e.key);

test('StatefulSet pods carry statefulset.kubernetes.io/pod-name and apps.kubernetes.io/pod-index: a per-pod Service selects one pod', () => {
  const { model, findings } = analyse(doc(
    workload('StatefulSet', 'redis', 'app: redis', 'replicas: 3'),
    service('redis-1', 'app: redis, statefulset.kubernetes.io/pod-name: redis-1'),
    service('redis-by-index', 'app: redis, apps.kubernetes.io/pod-index: "2"'),
  ));
  assert.deepEqual(endpointsOf(model, 'redis-1'), ['10.244.1.10:8080']);
  assert.deepEqual(endpointsOf(model, 'redis-by-index'), ['10.244.0.11:8080']);
  assert.ok(!findings.some(f => f.rule === 'selector-matches-nothing'));
});

test('Job pods carry job-name and batch.kubernetes.io/job-name; a value chosen at run time (pod-template-hash) cannot be decided', () => {
  const { model, findings } = analyse(doc(
    workload('Job', 'migrate', 'app: db', 'parallelism: 1', 'batch/v1'),
    service('by-job', 'job-name: migrate'),
    service('by-new-label', 'batch.kubernetes.io/job-name: migrate'),
    workload('Deployment', 'web', 'app: web'),
    service('by-hash', 'app: web, pod-template-hash: 5d4f8b9c7'),
  ));
  assert.deepEqual(endpointsOf(model, 'by-job'), ['10.244.0.10:8080']);
  assert.deepEqual(endpointsOf(model, 'by-new-label'), ['10.244.0.10:8080']);
  const hash = findings.find(f => f.service === 't/by-hash')!;
  assert.equal(hash.rule, 'selector-matches-nothing');
  assert.equal(hash.severity, 'information');
  assert.match(hash.message, /the pods of Deployment\/web match only if pod-template-hash has the selected value, which the controller chooses at run time/);
});

test('ReplicationControllers are workloads: their pods are endpoints', () => {
  const { model, findings } = analyse(doc(workload('ReplicationController', 'dns', 'k8s-app: dns', 'replicas: 1', 'v1'), service('dns', 'k8s-app: dns')));
  assert.deepEqual(endpointsOf(model, 'dns'), ['10.244.0.10:8080']);
  assert.deepEqual(findings, []);
});

test('hostNetwork pods: the endpoint is the node address, in the model and in the DNAT rules', () => {
  const ds = workload('DaemonSet', 'exporter', 'app: exporter', 'selector: {matchLabels: {app: exporter}}').replace('spec: {containers', 'spec: {hostNetwork: true, containers');
  const { model } = analyse(doc(ds, service('exporter', 'app: exporter')));
  assert.deepEqual(endpointsOf(model, 'exporter'), ['192.168.0.2:8080', '192.168.0.3:8080']);
  assert.match(generateIptables(model, { nodeName: 'node-a' }).payload, /-j DNAT --to-destination 192\.168\.0\.3:8080/);
});

test('kind: List items are read like documents', () => {
  const list = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: web, namespace: t}, spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}}
- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: t}, spec: {replicas: 1, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: x}]}}}}
`;
  const { model, findings } = analyse(list);
  assert.deepEqual(endpointsOf(model, 'web'), ['10.244.0.10:8080']);
  assert.deepEqual(findings, []);
});

test('explicit null is unset: nodePort: null on a ClusterIP Service is accepted', () => {
  const { findings } = analyse(service('plain', 'app: x', '', 'port: 80, nodePort: null'));
  assert.ok(!findings.some(f => f.rule === 'node-port-on-cluster-ip'), JSON.stringify(findings));
});

test('an object repeated across files is modelled once and reported once as information', () => {
  const text = doc(workload('Deployment', 'web', 'app: web', 'replicas: 1'), service('web', 'app: web', '  type: NodePort'));
  const { model, findings } = analyse(text, text);
  assert.equal(model.services.length, 1);
  assert.deepEqual(endpointsOf(model, 'web'), ['10.244.0.10:8080'], 'not one endpoint per copy');
  const dup = findings.filter(f => f.rule === 'duplicate-object');
  assert.equal(dup.length, 1);
  assert.equal(dup[0]!.severity, 'information');
  assert.match(dup[0]!.message, /^2 objects \(Deployment t\/web, Service t\/web\) are also defined in f0\.yaml: NAT Lens models each once/);
  // the NAT findings of the Service are reported once, in the first file
  assert.equal(findings.filter(f => f.rule === 'client-ip-lost').length, 1);
});

test('a Service of an IP family the profile lacks gets no rules of the other family, and says so', () => {
  const { model, findings } = analyse(service('v6', 'app: x', '  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv6]\n  type: LoadBalancer'));
  const entry = model.services[0]!;
  assert.equal(entry.service.spec?.clusterIP, undefined, 'no IPv4 cluster IP allocated');
  assert.deepEqual(entry.ports, []);
  assert.doesNotMatch(generateIptables(model).payload, /t\/v6/);
  const f = findings.find(x => x.rule === 'ip-family-not-served')!;
  assert.equal(f.severity, 'information');
  assert.match(f.message, /^The Service is IPv6 only; the cluster profile is IPv4, whose kube-proxy skips it/);
  assert.ok(!findings.some(x => x.rule === 'client-ip-lost'));
});

test('selector-matches-nothing: information when an operator may make the pods, a warning only on a near miss in the same file', () => {
  const prometheus = 'apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: t}\nspec: {replicas: 2}\n';
  const operator = analyse(doc(workload('Deployment', 'other', 'app: other'), service('prometheus', 'app.kubernetes.io/name: prometheus')), prometheus);
  const op = operator.findings.find(f => f.rule === 'selector-matches-nothing')!;
  assert.equal(op.severity, 'information');
  assert.match(op.message, /the files hold custom resources \(Prometheus\/k8s\) from which an operator may create the pods/);

  const elsewhere = analyse(workload('Deployment', 'other', 'app: other'), service('lonely', 'app: lonely'));
  assert.equal(elsewhere.findings.find(f => f.rule === 'selector-matches-nothing')!.severity, 'information');

  const typo = analyse(doc(workload('Deployment', 'web', 'app: web, tier: frontend'), service('web', 'app: web, tier: front')));
  const t = typo.findings.find(f => f.rule === 'selector-matches-nothing')!;
  assert.equal(t.severity, 'warning');
  assert.match(t.message, /^No workload matches the selector app=web,tier=front: the pods of Deployment\/web in this file have app=web but tier=frontend, so the Service has no endpoints/);
});

test('target-port-not-exposed: an undeclared numeric port is information and its fix is not preferred; a missing named port is a warning', () => {
  const numeric = analyse(doc(workload('Deployment', 'api', 'app: api'), service('api', 'app: api', '', 'port: 80, targetPort: 9090')));
  const n = numeric.findings.find(f => f.rule === 'target-port-not-exposed')!;
  assert.equal(n.severity, 'information');
  assert.match(n.message, /Kubernetes does not require a containerPort for a numeric targetPort/);
  assert.ok(n.fixes.length > 0 && n.fixes.every(fx => !fx.preferred));
  const named = analyse(doc(workload('Deployment', 'api', 'app: api'), service('api', 'app: api', '', 'port: 80, targetPort: web')));
  assert.equal(named.findings.find(f => f.rule === 'target-port-not-exposed')!.severity, 'warning');
});

test('local-policy-imbalance: a warning only with the endpoints in the files and no load balancer health check', () => {
  const local = (type: string) => `  type: ${type}\n  externalTrafficPolicy: Local`;
  const one = workload('Deployment', 'web', 'app: web', 'replicas: 1');
  const nodePort = analyse(doc(one, service('web', 'app: web', local('NodePort')))).findings.find(f => f.rule === 'local-policy-imbalance')!;
  assert.equal(nodePort.severity, 'warning');
  const lb = analyse(doc(one, service('web', 'app: web', local('LoadBalancer')))).findings.find(f => f.rule === 'local-policy-imbalance')!;
  assert.equal(lb.severity, 'information', 'single replica behind a health-checked load balancer is by design');
  const alone = analyse(service('web', 'app: web', local('NodePort'))).findings.find(f => f.rule === 'local-policy-imbalance')!;
  assert.equal(alone.severity, 'information');
  assert.match(alone.message, /no workload or EndpointSlice in the files given backs this Service/);
});

test('exposed-admin-port: a LoadBalancer offering Elasticsearch to every source, with a not preferred loadBalancerSourceRanges fix', () => {
  const { files, findings } = analyse(service('es', 'app: es', '  type: LoadBalancer', 'port: 9200'));
  const f = findings.find(x => x.rule === 'exposed-admin-port')!;
  assert.equal(f.severity, 'information');
  assert.match(f.message, /^Port 9200 is Elasticsearch \(HTTP API\), and this LoadBalancer Service accepts it from every source address/);
  assert.equal(f.fixes.length, 1);
  assert.equal(f.fixes[0]!.preferred, false);
  const edited = files[0]!.text.slice(0, f.fixes[0]!.edits[0]!.range.start.offset) + f.fixes[0]!.edits[0]!.newText + files[0]!.text.slice(f.fixes[0]!.edits[0]!.range.end.offset);
  assert.ok(!analyse(edited).findings.some(x => x.rule === 'exposed-admin-port'), 'with source ranges it is quiet');
  assert.ok(!analyse(service('es', 'app: es', '', 'port: 9200')).findings.some(x => x.rule === 'exposed-admin-port'), 'a ClusterIP Service is not exposed');
  const np = analyse(service('pg', 'app: pg', '  type: NodePort', 'port: 5432')).findings.find(x => x.rule === 'exposed-admin-port')!;
  assert.match(np.message, /^Port 5432 is PostgreSQL/);
});

function inTempDir(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-rw-'));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/**
 * An overlay (namespace shop, prefix prod-) over a base holding a Service in default and a Deployment
 * without a namespace: only with the overlay's namespace do the two meet.
 */
function writeKustomizeTree(dir: string, basePrefix: string) {
  mkdirSync(join(dir, 'base'));
  writeFileSync(join(dir, 'base', 'svc.yaml'), service('web', 'app: web', '  type: NodePort').replace('namespace: t', 'namespace: default'));
  writeFileSync(join(dir, 'base', 'web.yaml'), workload('Deployment', 'web', 'app: web', 'replicas: 1').replace(', namespace: t', ''));
  writeFileSync(join(dir, 'base', 'kustomization.yaml'), `resources: [svc.yaml, web.yaml]\n${basePrefix ? `namePrefix: ${basePrefix}\n` : ''}`);
  writeFileSync(join(dir, 'kustomization.yaml'), 'namespace: shop\nnamePrefix: prod-\nresources: [base]\n');
}

test('kustomize: a kustomization.yaml applies its namespace and namePrefix to the resources it lists', () => {
  inTempDir(dir => {
    writeKustomizeTree(dir, 'base-');
    const r = cli('check', '--format', 'json', dir);
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as { service: string; file: string }[];
    assert.ok(findings.some(f => f.service === 'shop/prod-base-web' && f.file === join(dir, 'base', 'svc.yaml')), r.out);
    assert.ok(findings.every(f => f.service === 'shop/prod-base-web'), r.out);
  });
});

test('check: one broken file among good ones is a finding in JSON and SARIF, the others are analysed, directories are inputs', () => {
  inTempDir(dir => {
    writeFileSync(join(dir, 'a-broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: [oops\n');
    writeFileSync(join(dir, 'b-good.yaml'), doc(workload('Deployment', 'web', 'app: web', 'replicas: 1'), service('web', 'app: web', '  type: NodePort')));
    const json = cli('check', '--format', 'json', dir);
    assert.equal(json.code, 1, 'an error-level finding, not an aborted run');
    const findings = JSON.parse(json.out) as { code: string; file: string; severity: string }[];
    assert.ok(findings.some(f => f.code === 'yaml-syntax' && f.severity === 'error' && f.file === join(dir, 'a-broken.yaml')));
    assert.ok(findings.some(f => f.code === 'client-ip-lost' && f.file === join(dir, 'b-good.yaml')));
    const sarif = JSON.parse(cli('check', '--format', 'sarif', join(dir, 'a-broken.yaml'), join(dir, 'b-good.yaml')).out);
    const results = sarif.runs[0].results as { ruleId: string; ruleIndex: number; level: string }[];
    const rules = sarif.runs[0].tool.driver.rules as { id: string }[];
    assert.ok(results.some(r => r.ruleId === 'yaml-syntax' && r.level === 'error'));
    assert.ok(results.some(r => r.ruleId === 'client-ip-lost'));
    assert.ok(results.every(r => rules[r.ruleIndex]!.id === r.ruleId), 'every result points at its rule');
    const text = cli('check', dir);
    assert.match(text.out, /a-broken\.yaml:\d+:\d+: error \[yaml-syntax\] YAML: /);
  });
});

test('check says once that a one-node profile hides multi-node effects; --verbose lists the assumptions', () => {
  inTempDir(dir => {
    writeFileSync(join(dir, 'web.yaml'), doc(workload('Deployment', 'web', 'app: web', 'replicas: 1'), service('web', 'app: web', '  type: NodePort\n  externalTrafficPolicy: Local')));
    const r = cli('check', join(dir, 'web.yaml'));
    assert.equal(r.err.match(/multi|several nodes|differ between nodes/g)?.length, 1, r.err);
    assert.match(r.err, /^natlens: note: the cluster profile has one node \(node-a\), so effects that differ between nodes were not evaluated .*--cluster PROFILE/m);
    const verbose = cli('check', '--verbose', join(dir, 'web.yaml'));
    assert.match(verbose.err, /^assumption: t\/web spec\.clusterIP = /m);
    assert.match(verbose.err, /^assumption: t\/web endpoint t\/web:http = 10\.244\.0\.10:8080 on node-a/m);
    assert.doesNotMatch(cli('check', '--cluster', `${root}examples/cluster.yaml`, join(dir, 'web.yaml')).err, /note:/);
  });
});

test('kustomize mapping: a place in the rendering maps to the same field of the source object, kustomize names applied', () => {
  const source = applyKustomization(parseManifest(service('web', 'app: web', '  type: NodePort').replace('namespace: t', 'namespace: default'), 'base/svc.yaml'), { namespace: 'shop', namePrefix: 'prod-', resources: [] });
  // what kubectl kustomize prints: other key order, the namespace added
  const rendered = parseManifest('apiVersion: v1\nkind: Service\nmetadata:\n  name: prod-web\n  namespace: shop\nspec:\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n  selector:\n    app: web\n  type: NodePort\n', 'rendered');
  const at = (text: string) => rendered.text.indexOf(text);
  const typeAt = sourceOf(rendered, at('NodePort'), [source])!;
  assert.equal(typeAt.fileName, 'base/svc.yaml');
  assert.equal(source.text.slice(typeAt.range.start.offset, typeAt.range.end.offset), 'NodePort');
  // metadata.namespace is not in the source: the innermost field it has (metadata)
  const nsAt = sourceOf(rendered, at('shop'), [source])!;
  assert.equal(nsAt.range.start.line, source.objects[0]!.rangeOf(['metadata'])!.start.line);
  assert.equal(sourceOf(rendered, at('prod-web'), []), null, 'no source: no mapping');
});

test('check --kustomize renders with kubectl and reports at the source files; without kubectl it says so', () => {
  inTempDir(dir => {
    writeKustomizeTree(dir, '');
    const path = process.env['PATH'];
    try {
      process.env['PATH'] = dir; // no kubectl there
      const absent = cli('check', '--kustomize', dir);
      assert.equal(absent.code, 2);
      assert.match(absent.err, /--kustomize needs kubectl on PATH/);
    } finally {
      process.env['PATH'] = path;
    }
    if (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0) return; // kubectl is not installed here
    const r = cli('check', '--format', 'json', '--kustomize', dir);
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as { service: string; file: string; line: number }[];
    const lost = findings.find(f => f.service === 'shop/prod-web')!;
    assert.equal(lost.file, join(dir, 'base', 'svc.yaml'));
    assert.equal(lost.line, 7, 'the type: line of the source');
  });
});
