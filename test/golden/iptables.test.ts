// Golden tests from kube-proxy's own pkg/proxy/iptables/proxier_test.go (commit 531be812), translated
// into fixtures under golden/iptables/ (see its README): full dumps compared byte for byte after
// upstream's canonical sort, single chains in emission order, and the test's other assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_ROOT, loadGoldenCases, type GoldenAssertion, type GoldenCase } from '../support/golden';
import { sortIptablesRules } from '../support/canonical';
import { generateIptables, type IptablesRuleset } from '../../extension/src/engine/proxy/iptables/generator';
import { probability } from '../../extension/src/engine/proxy/iptables/names';
import { parseRestore } from '../../extension/src/engine/proxy/iptables/ruleParser';
import { localReadyEndpointCounts } from '../../extension/src/engine/model/cluster';

const cases = loadGoldenCases();

function generate(c: GoldenCase): IptablesRuleset {
  return generateIptables(c.model, { masqueradeMarkText: '0x4000', existingNatChains: c.preexistingNatChains ?? [] });
}

test('every golden case directory holds something to check', () => {
  assert.ok(cases.length >= 50, `only ${cases.length} golden cases`);
  for (const c of cases) assert.ok(c.expected ?? c.flows ?? c.expectedChains ?? c.assertions, `${c.name} has nothing to check`);
});

for (const c of cases.filter(c => c.expected !== undefined)) {
  test(`full dump: ${c.name}`, () => {
    assert.equal(sortIptablesRules(generate(c).payload), c.expected);
  });
}

for (const c of cases.filter(c => c.expectedChains !== undefined)) {
  test(`chains: ${c.name}`, () => {
    const tables = parseRestore(generate(c).payload);
    for (const want of c.expectedChains!) {
      const rules = tables.find(t => t.name === want.table)?.rules.filter(r => r.chain === want.chain).map(r => r.text) ?? [];
      assert.deepEqual(rules, want.rules, `${want.table} ${want.chain}`);
    }
  });
}

function check(c: GoldenCase, a: GoldenAssertion): void {
  switch (a.kind) {
    case 'sepDnatLines': {
      const lines = generate(c).payload.split('\n').filter(l => l.startsWith('-A KUBE-SEP-') && l.includes('-j DNAT'));
      if (a.numEndpoints !== null) assert.equal(lines.length, a.numEndpoints, 'endpoints');
      if (a.numComments !== null) assert.equal(lines.filter(l => l.includes('--comment')).length, a.numComments, 'comments');
      if (a.matchedLine !== null) assert.equal(lines.filter(l => l.includes(a.match)).at(-1) ?? '', a.matchedLine);
      return;
    }
    case 'natChainHasRuleWithDestination': {
      const rules = parseRestore(generate(c).payload).find(t => t.name === a.table)?.rules ?? [];
      assert.equal(rules.some(r => r.chain === a.chain && r.destination?.value === a.destination), a.expected);
      return;
    }
    case 'localReadyEndpointsServiceCount':
      assert.equal(localReadyEndpointCounts(c.model, c.model.profile.nodeName).size, a.expected);
  }
}

for (const c of cases.filter(c => c.assertions !== undefined)) {
  test(`assertions: ${c.name}`, () => {
    for (const a of c.assertions!) check(c, a);
  });
}

test('the canonical sort reproduces upstream TestSortIPTablesRules', () => {
  const data = JSON.parse(readFileSync(join(GOLDEN_ROOT, 'sort-vectors.json'), 'utf8')) as { cases: { name: string; input: string; expected: string }[] };
  assert.ok(data.cases.length > 0);
  for (const v of data.cases) assert.equal(sortIptablesRules(v.input), v.expected, v.name);
});

test('probabilities match upstream TestComputeProbability', () => {
  const data = JSON.parse(readFileSync(join(GOLDEN_ROOT, 'compute-probability.json'), 'utf8')) as { expected: Record<string, string>; strictlyIncreasingAsNDecreases: { from: number; to: number } };
  for (const [n, text] of Object.entries(data.expected)) assert.equal(probability(Number(n)), text, `n=${n}`);
  let previous = -1;
  for (let n = data.strictlyIncreasingAsNDecreases.from; n >= data.strictlyIncreasingAsNDecreases.to; n--) {
    const p = Number(probability(n));
    assert.ok(p > previous, `probability(${n}) = ${p} is not above probability(${n + 1})`);
    previous = p;
  }
});
