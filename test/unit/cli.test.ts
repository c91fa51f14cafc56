import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli';

const examples = new URL('../../examples/', import.meta.url).pathname;

test('rules prints the restore payload; --format save the iptables-save form', () => {
  const r = cli('rules', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\*filter\n/);
  assert.match(r.out, /-A KUBE-NODEPORTS -m comment --comment shop\/web:http -m tcp -p tcp --dport 30080 -j KUBE-EXT-/);
  const s = cli('rules', '--format', 'save', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml'));
  assert.match(s.out, /-A KUBE-NODEPORTS -p tcp -m comment --comment "shop\/web:http" -m tcp --dport 30080 -j KUBE-EXT-/);
});

test('--node changes which endpoints are local', () => {
  const a = cli('rules', '--cluster', join(examples, 'cluster.yaml'), '--node', 'node-a', join(examples, 'nodeport-local.yaml')).out;
  const b = cli('rules', '--cluster', join(examples, 'cluster.yaml'), '--node', 'node-b', join(examples, 'nodeport-local.yaml')).out;
  assert.match(a, /:KUBE-SVL-/);
  assert.doesNotMatch(b, /:KUBE-SVL-/);
  assert.match(b, /has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP/);
});

test('bad input names file, line and column and exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata: [oops\n');
  const r = cli('rules', bad);
  assert.equal(r.code, 2);
  assert.match(r.err, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: YAML: `, 'm'));
  assert.equal(r.out, '');
  assert.equal(cli('rules', join(dir, 'missing.yaml')).code, 2);
  assert.equal(cli('rules', '--format', 'xml', bad).code, 2);
  assert.equal(cli('frobnicate').code, 2);
  assert.match(cli('help').out, /natlens trace/);
});

test('trace --json gives verdict, endpoints, masquerade, sourceSeenByPod and hops', () => {
  const r = cli('trace', '--cluster', join(examples, 'cluster.yaml'), '--src', '203.0.113.7', '--dst', '192.168.0.2', '--dport', '30080', '--json', join(examples, 'nodeport-local.yaml'));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.verdict, 'DNAT');
  assert.deepEqual(j.endpoints.map((e: { endpoint: string; probability: number }) => [e.endpoint, e.probability]), [['10.244.0.10:8080', 1]]);
  assert.equal(j.masquerade, false);
  assert.equal(j.sourceSeenByPod, '203.0.113.7');
  assert.ok(j.hops.length > 3);
  assert.match(j.summary, /No masquerade: the pod sees the client address 203\.0\.113\.7/);
});

test('trace without --json prints one hop a line and the summary', () => {
  const r = cli('trace', '--cluster', join(examples, 'cluster.yaml'), '--src', '203.0.113.7', '--dst', '192.168.0.3', '--dport', '30080', join(examples, 'nodeport-local.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^verdict: DROP$/m);
  assert.match(r.out, /node-b INPUT filter\/KUBE-EXTERNAL-SERVICES\s+L\d+\s+DROP/);
  assert.match(r.out, /times out/);
});

test('trace --again walks the same client\'s next connection: ClientIP affinity sends it back', () => {
  const args = ['trace', '--cluster', join(examples, 'cluster.yaml'), '--src', '203.0.113.50', '--dst', '192.168.0.2', '--dport', '31443', '--again', join(examples, 'loadbalancer.yaml')];
  const text = cli(...args);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /\nagain: the same client's next connection, with what the first one left in the session-affinity lists \(taken as not yet expired\):\n  after 10\.244\.0\.21:8443 \(50%\): DNAT to 10\.244\.0\.21:8443 \(node-a\) 100%\n  after 10\.244\.1\.22:8443 \(50%\): DNAT to 10\.244\.1\.22:8443 \(node-b\) 100%\n$/);
  const json = JSON.parse(cli(...args, '--json').out);
  assert.deepEqual(json.again.map((a: { after: string; next: { endpoints: { endpoint: string }[]; summary: string } }) => [a.after, a.next.endpoints.map(e => e.endpoint)]),
    [['10.244.0.21:8443', ['10.244.0.21:8443']], ['10.244.1.22:8443', ['10.244.1.22:8443']]]);
  assert.match(json.again[0].next.summary, /203\.0\.113\.50 is remembered from an earlier connection/);
});

test('trace from a pod to outside the cluster: the CNI\'s SNAT and the address the destination sees', () => {
  const r = cli('trace', '--cluster', join(examples, 'cluster.yaml'), '--src', '10.244.0.10', '--dst', '8.8.8.8', '--dport', '443', '--json', join(examples, 'nodeport-local.yaml'));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.verdict, 'NONE');
  assert.equal(j.sourceSeenByPod, null);
  assert.equal(j.sourceSeenByDestination, '192.168.0.2');
  assert.equal(j.snatAddress, '192.168.0.2');
  assert.deepEqual(j.hops.filter((h: { chain: string }) => h.chain === 'CNI egress').map((h: { hook: string; action: string }) => [h.hook, h.action]), [['POSTROUTING', 'MASQUERADE to 192.168.0.2']]);
  assert.equal(j.hops.at(-1).chain, 'CNI egress', 'after kube-proxy\'s own rules');
  assert.match(j.summary, /flanneld --ip-masq \(default\): 8\.8\.8\.8 is outside the flannel network 10\.244\.0\.0\/16\. The destination sees 192\.168\.0\.2; replies come back to node-a/);
  // a destination inside the flannel network keeps the pod address: nothing to see outside
  const inside = JSON.parse(cli('trace', '--cluster', join(examples, 'cluster.yaml'), '--src', '10.244.0.10', '--dst', '10.244.1.10', '--dport', '8080', '--json', join(examples, 'nodeport-local.yaml')).out);
  assert.equal(inside.sourceSeenByDestination, null);
  assert.equal(inside.snatAddress, null);
});

test('trace --src takes a pod by name, as the model places it, and names the pods when it is unknown', () => {
  const args = (src: string) => ['trace', '--cluster', join(examples, 'cluster.yaml'), '--src', src, '--dst', '10.96.0.10', '--dport', '53', '--proto', 'udp', '--json', join(examples, 'clusterip-dns.yaml')];
  const byName = JSON.parse(cli(...args('kube-system/dns-1')).out);
  assert.deepEqual(byName.request.source, { kind: 'pod', ip: '10.244.1.10', node: 'node-b' });
  assert.deepEqual(JSON.parse(cli(...args('dns-1')).out).request, byName.request);
  assert.deepEqual(JSON.parse(cli(...args('10.244.1.10')).out).request, byName.request);
  const unknown = cli(...args('web-0'));
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /source "web-0" is neither an IP address nor a pod of the input \(pods: kube-system\/dns-0, kube-system\/dns-1\)/);
});

test('trace rejects bad arguments with exit 2', () => {
  const f = join(examples, 'nodeport-local.yaml');
  assert.equal(cli('trace', '--src', '1.2.3.4', '--dst', '10.0.0.1', f).code, 2);
  assert.equal(cli('trace', '--src', 'nope', '--dst', '10.0.0.1', '--dport', '80', f).code, 2);
  assert.equal(cli('trace', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80', '--proto', 'icmp', f).code, 2);
  assert.equal(cli('trace', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80', '--node', 'node-z', f).code, 2);
});

test('rules --mode nftables prints kube-proxy\'s nftables table; --format script an nft -f file', () => {
  const dump = cli('rules', '--mode', 'nftables', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml'));
  assert.equal(dump.code, 0, dump.err);
  assert.match(dump.out, /^add table ip kube-proxy \{ comment "rules for kube-proxy" ; \}$/m);
  assert.match(dump.out, /^add rule ip kube-proxy endpoint-\w+-shop\/web\/tcp\/http__10\.244\.0\.10\/8080 meta l4proto tcp dnat to 10\.244\.0\.10:8080$/m);
  const script = cli('rules', '--mode', 'nftables', '--format', 'script', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml'));
  assert.equal(script.code, 0, script.err);
  assert.notEqual(script.out, dump.out);
  assert.equal(cli('rules', '--mode', 'nftables', '--format', 'save', join(examples, 'nodeport-local.yaml')).code, 2);
});

test('rules --mode ipvs prints ipvsadm -Ln, ipset save and the iptables rules', () => {
  const r = cli('rules', '--mode', 'ipvs', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'loadbalancer.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^TCP {2}10\.96\.20\.30:443 rr persistent 10800$/m);
  assert.match(r.out, /^ {2}-> 10\.244\.1\.22:8443 {13}Masq {4}1 {6}0 {10}0 {9}$/m);
  assert.match(r.out, /^add KUBE-CLUSTER-IP 10\.96\.20\.30,tcp:443$/m);
  assert.match(r.out, /^\*nat$/m);
  const only = cli('rules', '--mode', 'ipvs', '--format', 'ipset', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'loadbalancer.yaml'));
  assert.match(only.out, /^create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536$/m);
  assert.doesNotMatch(only.out, /ipvsadm|\*nat/);
});

test('debug prints the checks for each Service, with its own chain names and addresses', () => {
  const r = cli('debug', '--cluster', join(examples, 'cluster.yaml'), join(examples, 'nodeport-local.yaml'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Check shop\/web on node node-a \(iptables mode\)$/m);
  assert.match(r.out, /\$ iptables -t nat -L KUBE-SVC-67NZLRHBNDSAWJRO -n -v/);
  assert.match(r.out, /\$ kubectl get endpointslices -n shop -l kubernetes\.io\/service-name=web/);
  assert.equal(cli('debug', '--service', 'nope/none', join(examples, 'nodeport-local.yaml')).code, 2);
});

const workspace = new URL('../fixtures/workspace/', import.meta.url).pathname;
const workspaceFiles = ['cluster.yaml', 'deployment.yaml', 'invalid.yaml', 'ippool.yaml', 'policy.yaml', 'service.yaml'].map(f => join(workspace, f));

test('check: file:line:col findings, exit 1 on an error-level one; the profile among the FILEs is not read as a manifest', () => {
  const r = cli('check', '--cluster', join(workspace, 'cluster.yaml'), ...workspaceFiles);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err, '', 'no "not a Kubernetes object" warning for cluster.yaml');
  const lines = r.out.trimEnd().split('\n');
  assert.deepEqual(lines.map(l => l.slice(workspace.length).replace(/\] .*/, ']')), [
    'invalid.yaml:8:26: error [etp-not-external]',
    'policy.yaml:15:19: warning [policy-ip-block-behind-snat]',
    'policy.yaml:31:19: information [policy-egress-ip-block-snat]',
    'service.yaml:11:26: information [client-ip-lost]',
  ]);
  assert.match(lines[0]!, /spec\.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services$/);
  // without the invalid file nothing is an error: exit 0
  assert.equal(cli('check', '--cluster', join(workspace, 'cluster.yaml'), ...workspaceFiles.filter(f => !f.endsWith('invalid.yaml'))).code, 0);
});

test('check --format json: one object per finding with 1-based positions, severity, code and message', () => {
  const r = cli('check', '--cluster', join(workspace, 'cluster.yaml'), '--format', 'json', join(workspace, 'invalid.yaml'));
  assert.equal(r.code, 1);
  const [f, ...rest] = JSON.parse(r.out);
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...f, file: f.file.replace(/^.*\//, '') }, {
    file: 'invalid.yaml', line: 8, column: 26, endLine: 8, endColumn: 31, severity: 'error', code: 'etp-not-external',
    message: 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services', service: 'default/internal',
  });
});

test('check --format sarif: SARIF 2.1.0 with every rule and each finding located', () => {
  const r = cli('check', '--cluster', join(workspace, 'cluster.yaml'), '--format', 'sarif', join(workspace, 'policy.yaml'), join(workspace, 'deployment.yaml'), join(workspace, 'ippool.yaml'), join(workspace, 'service.yaml'));
  assert.equal(r.code, 0, r.err);
  const sarif = JSON.parse(r.out);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'natlens');
  const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
  assert.ok(ids.includes('policy-egress-ip-block-snat') && ids.includes('etp-not-external'), ids.join(', '));
  const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'policy-egress-ip-block-snat');
  assert.match(rule.help.text, /docs\/diagnostics\.md#policy-egress-ip-block-snat/);
  assert.equal(rule.helpUri, undefined, 'no link to a web page that does not exist');
  const egress = run.results.find((x: { ruleId: string }) => x.ruleId === 'policy-egress-ip-block-snat');
  assert.equal(egress.level, 'note');
  assert.equal(ids[egress.ruleIndex], 'policy-egress-ip-block-snat');
  assert.deepEqual(egress.locations[0].physicalLocation.region, { startLine: 31, startColumn: 19, endLine: 31, endColumn: 34 });
  assert.match(egress.locations[0].physicalLocation.artifactLocation.uri, /policy\.yaml$/);
});

test('check rejects an unknown --format and unusable input with exit 2', () => {
  assert.equal(cli('check', '--format', 'xml', join(workspace, 'service.yaml')).code, 2);
  const broken = cli('check', join(examples, '..', 'test', 'fixtures', 'workspace', 'nope.yaml'));
  assert.equal(broken.code, 2);
});

test('rules --mode nftables reads the profile as nftables mode does: the same table as a profile that says proxyMode: nftables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-cli-'));
  try {
    const nftProfile = join(dir, 'cluster-nft.yaml');
    writeFileSync(nftProfile, readFileSync(join(examples, 'cluster.yaml'), 'utf8').replace(/^proxyMode: iptables$/m, 'proxyMode: nftables'));
    const viaFlag = cli('rules', '--cluster', join(examples, 'cluster.yaml'), '--mode', 'nftables', join(examples, 'nodeport-local.yaml'));
    const viaProfile = cli('rules', '--cluster', nftProfile, join(examples, 'nodeport-local.yaml'));
    assert.equal(viaFlag.code, 0, viaFlag.err);
    assert.equal(viaFlag.out, viaProfile.out);
    assert.match(viaFlag.out, /@nodeport-ips/, 'node ports on the primary node IP, nftables mode\'s default');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
