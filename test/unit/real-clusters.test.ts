// Issue 13 ("Real clusters"): each case with a manifest of its own (test/fixtures/topology/), checked
// on every surface: `natlens rules`, `natlens trace --json`, `natlens explain` (the hover's text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../extension/src/cli/main';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (name: string) => join(root, 'test/fixtures/topology', name);
const profile = join(root, 'examples/cluster.yaml');

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '', err = '';
  const code = main(argv, { out: s => { out += s; }, err: s => { err += s; } });
  return { code, out, err };
}

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
