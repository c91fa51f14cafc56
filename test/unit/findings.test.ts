// Diagnostics against fixture manifests, with exact ranges, and their fixes applied to the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseManifest, ofKind, type ManifestFile } from '../../extension/src/engine/manifest/manifest';
import { parseProfile } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { analyzeFile, disableForLineEdit, policyRefactors, type Finding } from '../../extension/src/engine/findings/analyze';
import type { TextEdit } from '../../extension/src/engine/findings/edits';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';

const root = new URL('../../', import.meta.url).pathname;
const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;

function analyse(text: string, name = 'f.yaml') {
  const file = parseManifest(text, name);
  const model = buildClusterModel(file.objects, profile);
  return { file, model, findings: analyzeFile(file, model) };
}

function fixture(name: string) {
  return analyse(readFileSync(`${root}test/fixtures/findings/${name}`, 'utf8'), name);
}

const rows = (fs: Finding[]) => fs.map(f => [f.service, f.rule, f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character]);

function apply(text: string, edits: readonly TextEdit[]): string {
  return [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset)
    .reduce((t, e) => t.slice(0, e.range.start.offset) + e.newText + t.slice(e.range.end.offset), text);
}

test('API-invalid Services: every rule, exact ranges, the API server\'s wording, in document order', () => {
  const { findings } = fixture('invalid.yaml');
  assert.deepEqual(rows(findings), [
    ['t/etp-on-clusterip', 'etp-not-external', 6, 25, 6, 30],
    ['t/bad-policy', 'policy-value', 17, 25, 17, 30],
    ['t/bad-policy', 'policy-value', 18, 25, 18, 31],
    ['t/hcnp', 'health-check-node-port-invalid', 30, 23, 30, 28],
    ['t/hcnp', 'node-port-range', 34, 16, 34, 21],
    ['t/ports', 'port-name-required', 42, 6, 42, 10],
    ['t/ports', 'node-port-on-cluster-ip', 43, 16, 43, 21],
    ['t/ports', 'port-name-duplicate', 46, 12, 46, 13],
    ['t/affinity', 'affinity-timeout-range', 57, 22, 57, 27],
    ['t/affinity', 'source-ranges-not-load-balancer', 58, 2, 58, 26],
    ['t/headless-np', 'headless-external', 69, 13, 69, 17],
    ['t/lb-ranges', 'source-range-not-cidr', 82, 6, 82, 16],
  ]);
  assert.ok(findings.every(f => f.severity === 'error'));
  const msg = (rule: string) => findings.find(f => f.rule === rule)!.message;
  assert.equal(msg('etp-not-external'), 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services');
  assert.equal(msg('health-check-node-port-invalid'), "spec.healthCheckNodePort: Invalid value: 32013: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
  assert.equal(msg('node-port-range'), 'spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767');
  assert.equal(msg('node-port-on-cluster-ip'), "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  assert.equal(msg('port-name-required'), 'spec.ports[0].name: Required value');
  assert.equal(msg('port-name-duplicate'), 'spec.ports[2].name: Duplicate value: "b"');
  assert.equal(msg('affinity-timeout-range'), 'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400');
  assert.equal(msg('source-ranges-not-load-balancer'), "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'");
  assert.equal(msg('headless-external'), "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services");
  assert.match(msg('source-range-not-cidr'), /must be a list of IP ranges\. For example, 10\.240\.0\.0\/24,10\.250\.0\.0\/24$/);
});

test('NAT consequences: every rule, exact ranges, messages quote the walk', () => {
  const { findings } = fixture('nat.yaml');
  assert.deepEqual(rows(findings), [
    ['t/cluster-policy', 'client-ip-lost', 5, 8, 5, 16],
    ['t/local-policy', 'local-policy-imbalance', 20, 25, 20, 30],
    ['t/internal-local', 'internal-local-dropped', 33, 25, 33, 30],
    ['t/orphan', 'selector-matches-nothing', 45, 2, 45, 10],
    ['t/wrong-port', 'target-port-not-exposed', 59, 18, 59, 21],
    ['t/exposed', 'client-ip-lost', 66, 2, 66, 13],
    ['t/exposed', 'external-ips-risk', 66, 2, 66, 13],
    ['t/sticky', 'client-ip-lost', 77, 8, 77, 16],
    ['t/sticky', 'affinity-behind-snat', 79, 19, 79, 27],
  ]);
  const msg = (service: string, rule: string) => findings.find(f => f.service === service && f.rule === rule)!.message;
  // the only pod runs on node-a (10.244.0.10): what each entry node's SNAT gives it
  assert.match(msg('t/cluster-policy', 'client-ip-lost'), /entering node-a, the pod sees 10\.244\.0\.1; entering node-b, the pod sees 192\.168\.0\.3; never 203\.0\.113\.10/);
  assert.match(msg('t/local-policy', 'local-policy-imbalance'), /node-a sends external connections to its own endpoint, keeping the client IP; node-b has no local endpoint and drops the connections \(DROP in filter KUBE-EXTERNAL-SERVICES\)/);
  assert.match(msg('t/internal-local', 'internal-local-dropped'), /clients on node-b have no local endpoint, and their connections to 10\.96\.1\.3:80 are dropped/);
  // no workload of the file carries part of the selector: nothing proves the pods do not exist elsewhere
  assert.match(msg('t/orphan', 'selector-matches-nothing'), /^No workload in the files given matches the selector app=nothing-runs-this; pods created by an operator or controller, or defined in files not given, would not appear here\. If no running pod has these labels, the Service has no endpoints, and kube-proxy REJECTs connections to it: clients see "connection refused"\.$/);
  assert.match(msg('t/wrong-port', 'target-port-not-exposed'), /No container of Deployment\/web has a port named "web" \(TCP\)/);
  assert.match(msg('t/exposed', 'external-ips-risk'), /CVE-2020-8554/);
});

function fixOf(file: ManifestFile, findings: Finding[], service: string, rule: string, title: RegExp) {
  const f = findings.find(x => x.service === service && x.rule === rule)!;
  const fix = f.fixes.find(x => title.test(x.title));
  assert.ok(fix, `${rule}: no fix matching ${title}; have ${f.fixes.map(x => x.title).join(' | ')}`);
  return { fix, after: apply(file.text, fix.edits) };
}

test('quick fixes are minimal edits that keep comments, order and indentation', () => {
  const { file, findings } = fixture('invalid.yaml');
  let r = fixOf(file, findings, 't/etp-on-clusterip', 'etp-not-external', /^Remove externalTrafficPolicy/);
  assert.equal(r.fix.preferred, true);
  assert.equal(r.after, file.text.replace('  externalTrafficPolicy: Local\n', ''));
  r = fixOf(file, findings, 't/bad-policy', 'policy-value', /^Use Local$/);
  assert.equal(r.after, file.text.replace('externalTrafficPolicy: local', 'externalTrafficPolicy: Local'));
  r = fixOf(file, findings, 't/ports', 'port-name-required', /^Name the port port-80$/);
  assert.equal(r.after, file.text.replace('    - port: 80\n      nodePort: 30014', '    - name: port-80\n      port: 80\n      nodePort: 30014'));
  r = fixOf(file, findings, 't/ports', 'node-port-on-cluster-ip', /^Remove nodePort$/);
  assert.equal(r.after, file.text.replace('      nodePort: 30014\n', ''));
  r = fixOf(file, findings, 't/affinity', 'affinity-timeout-range', /10800/);
  assert.equal(r.after, file.text.replace('timeoutSeconds: 90000', 'timeoutSeconds: 10800'));
  r = fixOf(file, findings, 't/headless-np', 'headless-external', /^Change type to ClusterIP$/);
  assert.equal(r.after, file.text.replace('  type: NodePort\n  clusterIP: None', '  type: ClusterIP\n  clusterIP: None'));
  r = fixOf(file, findings, 't/affinity', 'source-ranges-not-load-balancer', /^Remove loadBalancerSourceRanges$/);
  assert.equal(r.after, file.text.replace('  loadBalancerSourceRanges:\n    - 10.0.0.0/8\n  ports:\n    - name: http\n      port: 80\n---\napiVersion: v1\nkind: Service\nmetadata: {name: headless-np', '  ports:\n    - name: http\n      port: 80\n---\napiVersion: v1\nkind: Service\nmetadata: {name: headless-np'));
  const nat = fixture('nat.yaml');
  r = fixOf(nat.file, nat.findings, 't/cluster-policy', 'client-ip-lost', /^Preserve client IP/);
  assert.equal(r.fix.preferred, false);
  assert.equal(r.after, nat.file.text.replace('  type: NodePort\n  clusterIP: 10.96.1.1', '  externalTrafficPolicy: Local\n  type: NodePort\n  clusterIP: 10.96.1.1'));
  r = fixOf(nat.file, nat.findings, 't/wrong-port', 'target-port-not-exposed', /^Use http/);
  assert.equal(r.after, nat.file.text.replace('targetPort: web', 'targetPort: http'));
  // applying a fix makes its finding go away
  assert.ok(!analyse(r.after).findings.some(f => f.service === 't/wrong-port' && f.rule === 'target-port-not-exposed'));
});

test('suppression per line and per file, and severity settings', () => {
  const { file, findings } = fixture('invalid.yaml');
  const f = findings.find(x => x.rule === 'etp-not-external')!;
  const edit = disableForLineEdit(file, f.range.start.line, f.rule);
  const suppressed = apply(file.text, [edit]);
  assert.match(suppressed, /\n  # natlens-disable-next-line etp-not-external\n  externalTrafficPolicy: Local\n/);
  assert.ok(!analyse(suppressed).findings.some(x => x.rule === 'etp-not-external'));
  assert.equal(analyse(suppressed).findings.length, findings.length - 1);
  assert.equal(analyse(`# natlens-disable-file\n${file.text}`).findings.length, 0);
  assert.deepEqual([...new Set(analyse(`# natlens-disable-file policy-value\n${file.text}`).findings.map(x => x.rule))].includes('policy-value'), false);
  const model = buildClusterModel(file.objects, profile);
  const custom = analyzeFile(file, model, { severities: { 'port-name-duplicate': 'warning', 'node-port-range': 'off' } });
  assert.equal(custom.find(x => x.rule === 'port-name-duplicate')!.severity, 'warning');
  assert.ok(!custom.some(x => x.rule === 'node-port-range'));
});

test('policy refactors say their trade-off and edit one line', () => {
  const { file } = fixture('nat.yaml');
  const svc = ofKind(file.objects, 'Service').find(s => s.name === 'local-policy')!;
  const [balance] = policyRefactors(svc);
  assert.match(balance!.title, /^Balance across all nodes \(externalTrafficPolicy: Cluster\): even spread, but pods see a node address/);
  assert.equal(apply(file.text, balance!.edits), file.text.replace('externalTrafficPolicy: Local\n  selector: {app: web}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      nodePort: 30102', 'externalTrafficPolicy: Cluster\n  selector: {app: web}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n      nodePort: 30102'));
  const internal = ofKind(file.objects, 'Service').find(s => s.name === 'internal-local')!;
  assert.deepEqual(policyRefactors(internal), []);
});

test('CodeLens summarises each Service in a few words', () => {
  const { file, model } = fixture('nat.yaml');
  const lenses = serviceLenses(file, model);
  assert.equal(lenses.find(l => l.service === 't/cluster-policy')!.title, 'NAT: 1 ready endpoint · external: SNAT, client IP lost');
  assert.equal(lenses.find(l => l.service === 't/local-policy')!.title, 'NAT: 1 ready endpoint · external: client IP kept · drops on node-b');
  assert.equal(lenses.find(l => l.service === 't/orphan')!.title, 'NAT: 0 ready endpoints · connections refused (REJECT) · cluster-internal only');
});

test('NetworkPolicy ipBlock behind SNAT: never matches, or lets everyone in; the fix keeps the client address', () => {
  const { file, findings } = fixture('policy.yaml');
  const policy = findings.filter(f => f.rule === 'policy-ip-block-behind-snat');
  assert.deepEqual(policy.map(f => [f.service, f.range.start.line, f.range.start.character, f.range.end.character]), [
    ['t/office-only', 11, 18, 32],
    ['t/office-only', 14, 18, 32],
  ]);
  assert.match(policy[0]!.message, /^External clients in 203\.0\.113\.0\/24 reach these pods through Service t\/web \(NodePort 30300\), whose external traffic is masqueraded: the pods see 10\.244\.0\.1 \(entering node-a\), 192\.168\.0\.2 \(entering node-a\), 192\.168\.0\.3 \(entering node-b\), 10\.244\.1\.1 \(entering node-b\), never an address in 203\.0\.113\.0\/24\./);
  assert.match(policy[1]!.message, /192\.168\.0\.2, 192\.168\.0\.3 are inside 192\.168\.0\.0\/16: this ipBlock lets every client through/);
  const fix = policy[0]!.fixes[0]!;
  assert.match(fix.title, /^Keep the client address: set externalTrafficPolicy: Local on t\/web/);
  assert.equal(fix.edits[0]!.file, 'policy.yaml');
  assert.equal(apply(file.text, fix.edits), file.text.replace('  type: NodePort\n  clusterIP: 10.96.3.1', '  externalTrafficPolicy: Local\n  type: NodePort\n  clusterIP: 10.96.3.1'));
});

test('node-port-duplicate: the same nodePort twice for one protocol, as the API server words it', () => {
  const { findings } = fixture('ports.yaml');
  const dup = findings.filter(f => f.rule === 'node-port-duplicate');
  // ports[1] repeats ports[0]'s TCP 30200; ports[2] is UDP (allowed: the key is protocol + nodePort);
  // ports[3] says TCP explicitly and is a duplicate too
  assert.deepEqual(rows(dup), [
    ['t/dup-node-port', 'node-port-duplicate', 14, 16, 14, 21],
    ['t/dup-node-port', 'node-port-duplicate', 22, 16, 22, 21],
  ]);
  assert.deepEqual(dup.map(f => f.message), [
    'spec.ports[1].nodePort: Duplicate value: 30200',
    'spec.ports[3].nodePort: Duplicate value: 30200',
  ]);
  assert.ok(dup.every(f => f.severity === 'error' && f.fixes.length === 0));
  // nothing else is wrong with that Service
  assert.deepEqual(findings.filter(f => f.service === 't/dup-node-port' && f.rule !== 'node-port-duplicate'), []);
  // with distinct node ports the finding goes away
  const { file } = fixture('ports.yaml');
  const fixed = file.text.replace('port: 81\n      nodePort: 30200', 'port: 81\n      nodePort: 30201').replace('port: 82\n      protocol: TCP\n      nodePort: 30200', 'port: 82\n      protocol: TCP\n      nodePort: 30202');
  assert.deepEqual(analyse(fixed).findings.filter(f => f.rule === 'node-port-duplicate'), []);
});

test('headless-external: a headless LoadBalancer, with clusterIP or clusterIPs', () => {
  const { file, findings } = fixture('ports.yaml');
  const headless = findings.filter(f => f.rule === 'headless-external');
  assert.deepEqual(rows(headless), [
    ['t/headless-lb', 'headless-external', 29, 13, 29, 17],
    ['t/headless-lb-ips', 'headless-external', 39, 15, 39, 19],
  ]);
  for (const f of headless) {
    assert.equal(f.message, "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services");
    assert.equal(f.severity, 'error');
    assert.equal(file.text.slice(f.range.start.offset, f.range.end.offset), 'None');
  }
  // kube-proxy skips headless Services: no NAT finding for them
  assert.deepEqual(findings.filter(f => f.service.startsWith('t/headless-lb')).map(f => f.rule), ['headless-external', 'headless-external']);
  const r = fixOf(file, findings, 't/headless-lb', 'headless-external', /^Change type to ClusterIP$/);
  assert.equal(r.fix.preferred, false);
  assert.equal(r.after, file.text.replace('  type: LoadBalancer\n  clusterIP: None', '  type: ClusterIP\n  clusterIP: None'));
  assert.ok(!analyse(r.after).findings.some(f => f.service === 't/headless-lb'));
  const ips = fixOf(file, findings, 't/headless-lb-ips', 'headless-external', /^Change type to ClusterIP$/);
  assert.equal(ips.after, file.text.replace('  type: LoadBalancer\n  clusterIPs: [None]', '  type: ClusterIP\n  clusterIPs: [None]'));
});

test('target-port-not-exposed: a numeric targetPort the selected containers do not declare', () => {
  const { file, findings } = fixture('ports.yaml');
  const tp = findings.filter(f => f.rule === 'target-port-not-exposed');
  // numeric-ok (8080/TCP is declared) and no-declared-ports (its Deployment declares none) are not flagged
  assert.deepEqual(rows(tp), [
    ['t/numeric-port', 'target-port-not-exposed', 53, 18, 53, 22],
    // no targetPort key: it defaults to port; the range is the whole port entry
    ['t/numeric-udp', 'target-port-not-exposed', 62, 6, 65, 0],
  ]);
  // Kubernetes does not require a containerPort for a numeric targetPort: the files cannot prove it wrong
  assert.ok(tp.every(f => f.severity === 'information'));
  assert.equal(file.text.slice(tp[0]!.range.start.offset, tp[0]!.range.end.offset), '9090');
  const unseen = 'which works if the container listens there (its command or configuration decides, which NAT Lens cannot see) and is refused otherwise.';
  assert.equal(tp[0]!.message, `Deployment/api declares container ports 8080/TCP but not 9090/TCP. Kubernetes does not require a containerPort for a numeric targetPort: connections are DNATed to port 9090 of its pods, ${unseen}`);
  assert.equal(tp[1]!.message, `Deployment/api declares container ports 8080/TCP but not 8080/UDP. Kubernetes does not require a containerPort for a numeric targetPort: connections are DNATed to port 8080 of its pods, ${unseen}`);
  // the only TCP port is offered; there is no UDP port to offer
  assert.deepEqual(tp[1]!.fixes, []);
  const r = fixOf(file, findings, 't/numeric-port', 'target-port-not-exposed', /^Use 8080, the port Deployment\/api exposes$/);
  // offered, never preferred: an image listening on 9090 would break
  assert.equal(r.fix.preferred, false);
  assert.equal(r.after, file.text.replace('targetPort: 9090', 'targetPort: 8080'));
  assert.ok(!analyse(r.after).findings.some(f => f.service === 't/numeric-port'));
  // the pods are still endpoints: the DNAT goes to the undeclared port
  const { model } = fixture('ports.yaml');
  const entry = model.services.find(s => s.obj.name === 'numeric-port')!;
  assert.deepEqual(entry.ports[0]!.endpoints.map(e => e.key), ['10.244.0.10:9090']);
});

test('ports.yaml: every finding is one of the above', () => {
  const { findings, file } = fixture('ports.yaml');
  assert.deepEqual(file.problems, []);
  assert.deepEqual(findings.map(f => f.rule), ['node-port-duplicate', 'node-port-duplicate', 'headless-external', 'headless-external', 'target-port-not-exposed', 'target-port-not-exposed']);
});
