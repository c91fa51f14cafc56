// Golden tests: our payload, put in upstream's canonical order, equals kube-proxy's own expected
// dumps from pkg/proxy/iptables/proxier_test.go byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGoldenCases } from '../support/golden';
import { sortIptablesRules } from '../support/canonical';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';

const cases = loadGoldenCases().filter(c => c.expected !== undefined);

test('golden cases exist', () => {
  assert.ok(cases.length > 0, 'no golden case with expected.rules found');
});

for (const c of cases) {
  test(`iptables golden: ${c.name}`, () => {
    const ruleset = generateIptables(c.model, { masqueradeMarkText: '0x4000' });
    assert.equal(sortIptablesRules(ruleset.payload), c.expected);
  });
}
