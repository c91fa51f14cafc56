import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../extension/src/cli/main';

const examples = new URL('../../examples/', import.meta.url).pathname;

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '', err = '';
  const code = main(argv, { out: s => { out += s; }, err: s => { err += s; } });
  return { code, out, err };
}

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
