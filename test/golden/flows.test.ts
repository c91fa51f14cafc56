// Upstream's packet-flow tables (runPacketFlowTests in pkg/proxy/iptables/proxier_test.go), run
// through our walk over our generated rules: the same endpoints, in rule order, the same DROP or
// REJECT, and the same masquerade decision. Upstream's tracer enters every packet at nat
// PREROUTING; ours enters a packet from the node's own address at OUTPUT, as the kernel does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flowSource, loadGoldenCases } from '../support/golden';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { Walker } from '../../extension/src/engine/walk/walk';


const cases = loadGoldenCases().filter(c => c.flows && c.flows.length > 0);

test('packet-flow tables were found', () => assert.ok(cases.length >= 20, `only ${cases.length}`));

for (const c of cases) {
  test(`packet flows: ${c.name}`, () => {
    const ruleset = generateIptables(c.model, { masqueradeMarkText: '0x4000' });
    const walker = new Walker(c.model, new Map([[c.model.profile.nodeName, ruleset]]));
    for (const flow of c.flows!) {
      const result = walker.trace({
        source: flowSource(c, flow), dst: flow.destIP, dport: flow.destPort,
        proto: flow.protocol as 'tcp', entryNode: c.model.profile.nodeName,
      });
      const output = result.verdict === 'DNAT' ? result.endpoints.map(e => e.endpoint).join(', ')
        : result.verdict === 'NONE' ? '' : result.verdict;
      assert.equal(output, flow.output, `${flow.name}: output\n${result.summary}`);
      assert.equal(result.masquerade, flow.masq, `${flow.name}: masquerade\n${result.summary}`);
    }
  });
}
