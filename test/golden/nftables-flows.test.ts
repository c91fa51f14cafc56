// Upstream's nftables packet-flow tables (runPacketFlowTests in pkg/proxy/nftables/proxier_test.go),
// run through the packet walk in nftables mode (extension/src/engine/walk/nftables.ts executing the
// table generateNftables() makes): the same endpoints, in rule order, the same DROP or REJECT, and
// the same masquerade decision. test/golden/nftables.test.ts replays upstream's own tracer; this
// file checks the walk, which follows the kernel, against the same expectations.
//
// Where upstream's tracer (test/golden/nftables/README.md section 4) differs from the kernel, the
// walk keeps the kernel's behaviour and the comparison translates, as test/golden/flows.test.ts does
// for iptables:
//   - entry hook: upstream runs every packet through filter-prerouting-pre-dnat, nat-prerouting and
//     then both filter-forward and filter-input. The walk enters a packet from one of the node's own
//     addresses at output (filter-output-pre-dnat, nat-output, filter-output), as the kernel does,
//     and after routing runs either input (a local destination) or forward + postrouting. Both paths
//     hold the same kube-proxy jumps (firewall-check, services, service-endpoints-check,
//     cluster-ips-check), so the outputs agree.
//   - numgen: upstream visits every endpoint chain and lists the outputs in vmap order; the walk
//     follows every branch with probability 1/N, and `result.endpoints` lists them in branch order,
//     which is the same vmap order.
//   - masquerade: upstream's flag is global and sticky (any `jump mark-for-masquerade` on any
//     branch). The walk's answer is per branch, on the node that translated the connection; with a
//     single node (upstream's fake) "any branch" of it is the same thing.
//   - LOCAL: upstream's set is the node IPs without loopback; the walk's fib also calls loopback
//     local (as the kernel does). No upstream flow is sent from or to a loopback address in the
//     nftables tables, so the difference does not show.
//   - the mark: upstream's fake prints 0x4000, real kube-proxy 0x00004000. Walker generates the
//     table itself (it takes no generator options for nftables); the two texts are the same number,
//     so the walk is unaffected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowSource, loadGoldenCases, type GoldenCase, type GoldenFlow } from '../support/golden';
import { Walker, type WalkResult } from '../../extension/src/engine/walk/walk';
import { generateNftables, type NftablesRuleset } from '../../extension/src/engine/proxy/nftables/generator';
import { NftRules } from '../../extension/src/engine/walk/nftables';
import { WalkError, type NodeNetwork } from '../../extension/src/engine/walk/netfilter';

const ROOT = new URL('./nftables/', import.meta.url).pathname;


function outputOf(result: WalkResult): string {
  return result.verdict === 'DNAT' ? result.endpoints.map(e => e.endpoint).join(', ')
    : result.verdict === 'NONE' ? '' : result.verdict;
}

const cases = loadGoldenCases(ROOT).filter(c => c.flows && c.flows.length > 0);

test('nftables packet-flow tables were found', () => assert.ok(cases.length >= 30, `only ${cases.length}`));

const walks: { c: GoldenCase; flow: GoldenFlow; result: WalkResult }[] = [];

for (const c of cases) {
  test(`nftables packet flows: ${c.name}`, () => {
    assert.equal(c.model.profile.proxyMode, 'nftables');
    const walker = new Walker(c.model, new Map(), 'nftables');
    for (const flow of c.flows!) {
      const result = walker.trace({
        source: flowSource(c, flow), dst: flow.destIP, dport: flow.destPort,
        proto: flow.protocol as 'tcp', entryNode: c.model.profile.nodeName,
      });
      walks.push({ c, flow, result });
      const hops = result.outcomes.map(o => `  p=${o.probability.toFixed(3)} ${o.verdict}:\n${o.hops.map(h => `    ${h.hook} ${h.chain}: ${h.action}`).join('\n')}`).join('\n');
      assert.equal(outputOf(result), flow.output, `${flow.name}: output\n${result.summary}\n${hops}`);
      assert.equal(result.masquerade, flow.masq, `${flow.name}: masquerade\n${result.summary}\n${hops}`);
    }
  });
}

test('walk hops point at their rule lines in the generated dump', () => {
  let checked = 0;
  for (const { c, result } of walks) {
    const dump = generateNftables(c.model, { nodeName: c.model.profile.nodeName }).lines;
    for (const o of result.outcomes) for (const h of o.hops) {
      assert.equal(dump[h.line!]?.text, h.rule, `${c.name}: line ${h.line}`);
      assert.match(h.rule, new RegExp(`^add rule ip6? kube-proxy ${h.chain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `));
      checked++;
    }
  }
  assert.ok(checked > 100, `only ${checked} hops`);
});

// ---------------------------------------------------------------------------------------------
// The nftables program itself, on the tables of TestOverallNFTablesRules

const overall = loadGoldenCases(ROOT).find(c => c.name === 'TestOverallNFTablesRules')!;

function elementFor(r: NftablesRuleset, service: string): string[] {
  const e = r.table.maps.get('service-ips')!.elements.find(x => x.service === service);
  assert.ok(e, `no service-ips element for ${service}`);
  return [...e.key];
}

test('numgen: every branch, each with probability 1/N, in vmap order', () => {
  const r = generateNftables(overall.model);
  const [ip, , port] = elementFor(r, 'ns4/svc4:p80');
  const result = new Walker(overall.model, new Map(), 'nftables').trace({ source: { kind: 'pod', ip: '10.0.0.2', node: overall.model.profile.nodeName }, dst: ip!, dport: Number(port), proto: 'tcp' });
  assert.deepEqual(result.endpoints.map(e => [e.endpoint, e.probability]), [['10.180.0.4:80', 0.5], ['10.180.0.5:80', 0.5]]);
  assert.equal(result.outcomes.reduce((s, o) => s + o.probability, 0), 1);
  const numgen = result.outcomes.map(o => o.hops.find(h => h.rule.includes('numgen'))!.action);
  assert.deepEqual(numgen.map(a => a.replace(/ .*\(/, ' (')), ['goto (numgen 0 of 2)', 'goto (numgen 1 of 2)']);
});

test('session affinity: a first packet finds no affinity entry, and the endpoint chain records the client', () => {
  const r = generateNftables(overall.model);
  const [ip, , port] = elementFor(r, 'ns5/svc5:p80');
  const result = new Walker(overall.model, new Map(), 'nftables').trace({ source: { kind: 'pod', ip: '10.0.0.2', node: overall.model.profile.nodeName }, dst: ip!, dport: Number(port), proto: 'tcp' });
  assert.equal(result.verdict, 'DNAT');
  const hops = result.outcomes[0]!.hops;
  assert.ok(!hops.some(h => h.rule.includes('ip saddr @affinity-')), 'the affinity lookup does not match a first packet');
  const update = hops.findIndex(h => h.action.startsWith('update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80'));
  const dnat = hops.findIndex(h => h.action === 'DNAT to 10.180.0.3:80');
  assert.ok(update >= 0 && dnat > update, hops.map(h => h.action).join('\n'));
});

test('the masquerade mark: set in mark-for-masquerade, cleared and acted on in masquerading', () => {
  const r = generateNftables(overall.model);
  const [ip, , port] = elementFor(r, 'ns1/svc1:p80');
  // not from the cluster CIDR: marked
  const result = new Walker(overall.model, new Map(), 'nftables').trace({ source: { kind: 'external', ip: '203.0.113.9' }, dst: ip!, dport: Number(port), proto: 'tcp', entryNode: overall.model.profile.nodeName });
  const acts = result.outcomes[0]!.hops.map(h => `${h.hook} ${h.chain}: ${h.action} mark=0x${h.mark.toString(16)}`);
  assert.ok(acts.includes('PREROUTING mark-for-masquerade: MARK 0x4000 mark=0x4000'), acts.join('\n'));
  assert.ok(acts.includes('POSTROUTING masquerading: MARK 0x0 mark=0x0'), acts.join('\n'));
  assert.ok(acts.at(-1)!.startsWith('POSTROUTING masquerading: MASQUERADE to '), acts.join('\n'));
  assert.equal(result.outcomes[0]!.sourceSeen?.endsWith(':*'), true, 'fully-random: a random source port');
});

test('syntax the walk does not model throws a WalkError naming it', () => {
  const base = generateNftables(overall.model);
  const node: NodeNetwork = { name: 'n', isLocal: () => false, masqueradeSource: () => ({ address: '192.168.0.2' }) };
  const withRule = (chain: string, rule: string): NftablesRuleset => {
    const chains = new Map(base.table.chains);
    const c = chains.get(chain)!;
    chains.set(chain, { ...c, rules: [{ ...c.rules[0]!, rule }, ...c.rules.slice(1)] });
    // the dump's line for that rule says the same
    const at = base.lines.findIndex(l => l.kind === 'rule' && l.object === chain);
    const lines = base.lines.map((l, i) => (i === at ? { ...l, text: `add rule ${base.family} kube-proxy ${chain} ${rule}` } : l));
    return { ...base, lines, table: { ...base.table, chains } };
  };
  assert.doesNotThrow(() => new NftRules(node, base));
  // the table and the dump the hops point into must agree
  assert.throws(() => new NftRules(node, { ...base, lines: base.lines.map(l => (l.kind === 'rule' && l.object === 'services' ? { ...l, text: `${l.text} drop` } : l)) }), /is not rule 0 of chain services/);
  for (const [rule, named] of [
    ['tcp flags syn jump services', 'tcp flags syn'],
    ['log prefix "x" jump services', 'log prefix'],
    ['ip daddr 10.0.0.1 counter meta nftrace set 1', 'meta nftrace'],
    ['reject with tcp reset', 'reject with tcp reset'],
    ['ip6 daddr ::1 drop', 'ip6 daddr in an ip table'],
    ['jump no-such-chain', 'no-such-chain'],
    ['ip daddr @no-such-set drop', '@no-such-set'],
    ['numgen inc mod 2 vmap { 0 : drop , 1 : drop }', 'numgen inc'],
    ['meta l4proto tcp dnat to 10.1.1.1:80 accept', '"accept"'],
    ['ip daddr . ip saddr { 10.0.0.1 . 10.0.0.2 } drop', 'ip daddr . ip saddr compared with a literal'],
  ] as const) {
    assert.throws(() => new NftRules(node, withRule('nat-prerouting', rule)), (e: unknown) => e instanceof WalkError && e.message.includes(named), `${rule}: should name "${named}"`);
  }
});
