// Golden tests from kube-proxy's own pkg/proxy/nftables/proxier_test.go, translated into fixtures
// under golden/nftables/ (see its README): full table dumps compared byte for byte after upstream's
// canonical sort (sortNFTablesTransaction in helpers_test.go), the runPacketFlowTests tables traced
// through the generated table the way upstream's nftablesTracer does, other assertions, and the
// pure-function vectors (chain names, ServiceCIDR filtering, the sorter itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadGoldenCases, type GoldenCase, type GoldenFlow } from '../support/golden';
import { generateNftables, serviceCIDRsForFamily, type NftablesRuleset, type NftTable } from '../../extension/src/engine/proxy/nftables/generator';
import { servicePortChainNameBase, servicePortEndpointChainNameBase } from '../../extension/src/engine/proxy/nftables/names';
import { localReadyEndpointCounts } from '../../extension/src/engine/model/cluster';
import { cidrContains, isLoopback, parseCIDR, parseIP, type IPFamily } from '../../extension/src/engine/util/ip';

const ROOT = new URL('./nftables/', import.meta.url).pathname;
const cases = loadGoldenCases(ROOT);

// ---------------------------------------------------------------------------------------------
// Upstream's canonical form (helpers_test.go sortNFTablesTransaction): drop empty lines and lines
// starting with "#"; then a stable sort: by object type (table, chain, rule, set, map, element,
// anything else last), then by object name (the fifth word: the name after "add TYPE FAMILY
// TABLE"), then rules keep their order while other lines sort by their whole text. Lines with
// fewer than five words compare equal to everything. The result is joined with "\n".

const OBJECT_ORDER: Record<string, number> = { table: 10, chain: 9, rule: 8, set: 7, map: 6, element: 5 };

function lessNft(a: string, b: string): boolean {
  const wa = a.split(' '), wb = b.split(' ');
  if (wa.length < 5 || wb.length < 5) return false;
  if (wa[1] !== wb[1]) return (OBJECT_ORDER[wa[1]!] ?? 0) >= (OBJECT_ORDER[wb[1]!] ?? 0);
  if (wa[4] !== wb[4]) return wa[4]! < wb[4]!;
  if (wa[1] === 'rule') return false;
  return a < b;
}

export function sortNftablesTransaction(tx: string): string {
  const lines = tx.split('\n').filter(l => l !== '' && l[0] !== '#');
  // Array.prototype.sort is stable, like Go's sort.SliceStable
  return lines.sort((a, b) => (lessNft(a, b) ? -1 : lessNft(b, a) ? 1 : 0)).join('\n');
}

function generate(c: GoldenCase): NftablesRuleset {
  const pre = join(c.dir, 'preexisting-chains.txt');
  const existingChains = existsSync(pre) ? readFileSync(pre, 'utf8').split('\n').map(l => l.trim()).filter(l => l && !l.startsWith('#')) : [];
  return generateNftables(c.model, { masqueradeMarkText: '0x4000', existingChains });
}

const expectedOf = (c: GoldenCase): string | undefined =>
  existsSync(join(c.dir, 'expected.nft')) ? readFileSync(join(c.dir, 'expected.nft'), 'utf8') : undefined;

type NftAssertion =
  | { kind: 'mapHasElement'; map: string; key: string[]; expected: boolean }
  | { kind: 'localReadyEndpointsServiceCount'; expected: number };

test('every nftables golden case directory holds something to check', () => {
  assert.ok(cases.length >= 50, `only ${cases.length} golden cases`);
  for (const c of cases) {
    assert.equal(c.model.profile.proxyMode, 'nftables', c.name);
    assert.ok(expectedOf(c) ?? c.flows ?? c.assertions, `${c.name} has nothing to check`);
  }
});

for (const c of cases.filter(c => expectedOf(c) !== undefined)) {
  test(`full dump: ${c.name}`, () => {
    assert.equal(sortNftablesTransaction(generate(c).ruleset), sortNftablesTransaction(expectedOf(c)!));
  });
}

for (const c of cases.filter(c => c.assertions !== undefined)) {
  test(`assertions: ${c.name}`, () => {
    for (const a of c.assertions as unknown as NftAssertion[]) {
      if (a.kind === 'mapHasElement') {
        const elements = generate(c).table.maps.get(a.map)?.elements ?? [];
        assert.equal(elements.some(e => e.key.join(' . ') === a.key.join(' . ')), a.expected, `${a.map} { ${a.key.join(' . ')} }`);
      } else {
        assert.equal(localReadyEndpointCounts(c.model, c.model.profile.nodeName).size, a.expected);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Packet flows. The tracer follows upstream's nftablesTracer (see the README, section 5): a rule is
// read piece by piece from the left ("ct state new" ignored); a failing match skips the rule; a
// verdict-map lookup continues with the element's verdict; "jump mark-for-masquerade" only sets the
// masquerade flag; jump/goto run the target chain; numgen visits every endpoint chain. The packet
// runs filter-prerouting-pre-dnat, then nat-prerouting (a DNAT rewrites the destination address),
// then filter-forward and, unless that terminated, filter-input.

interface TraceResult { output: string; masq: boolean; matched: string[] }

function splitHostPort(s: string): string {
  return s.startsWith('[') ? s.slice(1, s.indexOf(']')) : s.slice(0, s.lastIndexOf(':'));
}

function addressMatches(ip: string, rule: string): boolean {
  const a = parseIP(ip);
  if (!a) throw new Error(`bad IP in flow: ${ip}`);
  if (rule.includes('/')) {
    const c = parseCIDR(rule);
    if (!c) throw new Error(`bad CIDR in rule: ${rule}`);
    return cidrContains(c, a);
  }
  const b = parseIP(rule);
  if (!b) throw new Error(`bad IP in rule: ${rule}`);
  return a.family === b.family && a.bytes.every((x, i) => x === b.bytes[i]);
}

function trace(table: NftTable, localIPs: ReadonlySet<string>, flow: GoldenFlow): TraceResult {
  const outputs: string[] = [];
  const matched: string[] = [];
  let masq = false;
  const src = flow.sourceIP, proto = flow.protocol, port = String(flow.destPort);
  let dst = flow.destIP;
  const lookup = (name: string, key: string[]) => {
    const m = table.maps.get(name) ?? table.sets.get(name);
    if (!m) throw new Error(`unknown set or map ${name}`);
    return m.elements.find(e => e.key.length === key.length && e.key.every((k, i) => k === key[i]));
  };

  const runChain = (name: string): boolean => {
    const chain = table.chains.get(name);
    if (!chain) throw new Error(`unknown chain ${name}`);
    for (const r of chain.rules) {
      let rest = r.rule.replace(/^ct state new\s*/, '');
      const text = `${name}: ${r.rule}`;
      while (rest !== '') {
        rest = rest.trimStart();
        let m: RegExpExecArray | null;
        const take = (re: RegExp) => { m = re.exec(rest); if (m) rest = rest.slice(m[0].length); return m !== null; };
        let ok = true;
        if (take(/^ip6? daddr \. meta l4proto \. th dport vmap @(\S+)$/)) {
          const e = lookup(m![1]!, [dst, proto, port]);
          if (e) rest = e.value![0]!; else ok = false;
        } else if (take(/^meta l4proto \. th dport vmap @(\S+)$/)) {
          const e = lookup(m![1]!, [proto, port]);
          if (e) rest = e.value![0]!; else ok = false;
        } else if (take(/^ip6? daddr @(\S+)/)) {
          ok = lookup(m![1]!, [dst]) !== undefined;
        } else if (take(/^ip6? (daddr|saddr) (!= )?\{([^}]*)\}/)) {
          const addr = m![1] === 'daddr' ? dst : src;
          const any = m![3]!.replaceAll(' ', '').split(',').some(a => addressMatches(addr, a));
          ok = m![2] ? !any : any;
        } else if (take(/^ip6? saddr @(\S+)/)) {
          ok = false; // affinity history never matches a fresh packet
        } else if (take(/^ip6? (daddr|saddr) (!= )?(\S+)/)) {
          const hit = addressMatches(m![1] === 'daddr' ? dst : src, m![3]!);
          ok = m![2] ? !hit : hit;
        } else if (take(/^fib (daddr|saddr) type local/)) {
          ok = localIPs.has(m![1] === 'daddr' ? dst : src);
        } else if (take(/^update @\S+ \{ ip6? saddr \}/)) {
          // records affinity; no effect on this packet
        } else if (take(/^jump mark-for-masquerade$/)) {
          matched.push(text);
          masq = true;
        } else if (take(/^(jump|goto) (\S+)$/)) {
          matched.push(text);
          if (runChain(m![2]!)) return true;
          if (m![1] === 'goto') return false;
        } else if (take(/^(drop|reject)$/)) {
          matched.push(text);
          outputs.push(m![1]!.toUpperCase());
          return true;
        } else if (take(/^return$/)) {
          matched.push(text);
          return false;
        } else if (take(/^meta l4proto (tcp|udp|sctp) dnat to (\S+)$/)) {
          matched.push(text);
          outputs.push(m![2]!);
          return true;
        } else if (take(/^numgen random mod \d+ vmap \{(.*)\}$/)) {
          matched.push(text);
          for (const e of m![1]!.matchAll(/\d+ : goto (\S+)/g)) runChain(e[1]!);
          return true;
        } else {
          throw new Error(`tracer cannot read rule: ${text} (at "${rest}")`);
        }
        if (!ok) break;
      }
    }
    return false;
  };

  const done = () => ({ output: outputs.join(', '), masq, matched });
  if (runChain('filter-prerouting-pre-dnat')) return done();
  runChain('nat-prerouting');
  if (outputs.length > 0) dst = splitHostPort(outputs[0]!);
  if (runChain('filter-forward')) return done();
  runChain('filter-input');
  return done();
}

for (const c of cases.filter(c => c.flows && c.flows.length > 0)) {
  test(`packet flows (upstream tracer semantics): ${c.name}`, () => {
    const { table } = generate(c);
    const localIPs = new Set(c.model.profile.nodeIPs.filter(ip => { const p = parseIP(ip); return p && !isLoopback(p); }));
    for (const flow of c.flows!) {
      const r = trace(table, localIPs, flow);
      assert.equal(r.output, flow.output, `${flow.name}: output; matched:\n${r.matched.join('\n')}`);
      assert.equal(r.masq, flow.masq, `${flow.name}: masq; matched:\n${r.matched.join('\n')}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Pure functions

test('the canonical sort reproduces upstream Test_sortNFTablesTransaction and Test_diffNFTablesTransaction', () => {
  const v = JSON.parse(readFileSync(join(ROOT, 'sort-vectors.json'), 'utf8')) as { input: string; expectedRaw: string };
  assert.equal(sortNftablesTransaction(v.input), v.expectedRaw.trim());
  assert.equal(sortNftablesTransaction(v.input), sortNftablesTransaction(v.expectedRaw));
  const notExpected = v.expectedRaw.split('\n').slice(2).join('\n');
  assert.notEqual(sortNftablesTransaction(v.input), sortNftablesTransaction(notExpected));
});

test('chain names match upstream Test_servicePortChainNameBase and Test_servicePortEndpointChainNameBase', () => {
  type V = { name: string; namespace: string; service: string; port: string; protocol: string; endpoint?: string; expected: string };
  const v = JSON.parse(readFileSync(join(ROOT, 'chain-name-vectors.json'), 'utf8')) as { servicePortChainNameBase: V[]; servicePortEndpointChainNameBase: V[] };
  for (const t of v.servicePortChainNameBase) assert.equal(servicePortChainNameBase(t.namespace, t.service, t.protocol, t.port), t.expected, t.name);
  for (const t of v.servicePortEndpointChainNameBase) assert.equal(servicePortEndpointChainNameBase(t.namespace, t.service, t.protocol, t.port, t.endpoint!), t.expected, t.name);
});

test('ServiceCIDR filtering matches upstream TestProxier_OnServiceCIDRsChanged', () => {
  const v = JSON.parse(readFileSync(join(ROOT, 'service-cidrs-vectors.json'), 'utf8')) as { cases: { family: IPFamily; cidrs: string[]; expected: string }[] };
  for (const t of v.cases) assert.equal(serviceCIDRsForFamily(t.cidrs, t.family), t.expected, `${t.family} ${t.cidrs.join(',')}`);
});

test('the dump keeps knftables Fake.Dump() order and the script declares before it references', () => {
  const c = cases.find(c => c.name === 'TestOverallNFTablesRules')!;
  const r = generate(c);
  const kinds = r.lines.map(l => l.kind);
  assert.equal(kinds[0], 'table');
  const firstSet = kinds.findIndex(k => k === 'set' || k === 'map');
  assert.ok(kinds.slice(1, firstSet).every(k => k === 'chain' || k === 'rule'));
  assert.ok(kinds.slice(firstSet).every(k => k !== 'chain' && k !== 'rule'));
  assert.equal(r.ruleset, r.lines.map(l => l.text + '\n').join(''));
  assert.equal(sortNftablesTransaction(r.script), sortNftablesTransaction(r.ruleset));
  // every per-service line says which service (and endpoint) it belongs to
  const ep = r.lines.find(l => l.text.includes('dnat to 10.180.0.5:80'))!;
  assert.equal(ep.service, 'ns4/svc4:p80');
  assert.equal(ep.endpoint, '10.180.0.5:80');
  const el = r.lines.find(l => l.text.startsWith('add element ip kube-proxy no-endpoint-services { 172.30.0.46 '))!;
  assert.equal(el.service, 'ns6/svc6:p80');
});

test('real kube-proxy formats the mark with %#08x', () => {
  const c = cases.find(c => c.name === 'TestOverallNFTablesRules')!;
  const r = generateNftables(c.model);
  assert.equal(r.masqueradeMark, '0x00004000');
  assert.ok(r.ruleset.includes('add rule ip kube-proxy mark-for-masquerade mark set mark or 0x00004000\n'));
});
