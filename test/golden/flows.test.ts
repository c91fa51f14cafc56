// Upstream's packet-flow tables (runPacketFlowTests in pkg/proxy/iptables/proxier_test.go), run
// through our walk over our generated rules: the same endpoints, in rule order, the same DROP or
// REJECT, and the same masquerade decision. Upstream's tracer enters every packet at nat
// PREROUTING; ours enters a packet from the node's own address at OUTPUT, as the kernel does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGoldenCases, type GoldenCase, type GoldenFlow } from '../support/golden';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { Walker, type TraceSource } from '../../extension/src/engine/walk/walk';
import { cidrContains, parseCIDR, parseIP } from '../../extension/src/engine/util/ip';

function sourceFor(c: GoldenCase, flow: GoldenFlow): TraceSource {
  const profile = c.model.profile;
  const ip = parseIP(flow.sourceIP)!;
  if (profile.nodeIPs.includes(flow.sourceIP) || flow.sourceIP === '127.0.0.1' || flow.sourceIP === '::1') {
    return { kind: 'node', node: profile.nodeName, ip: flow.sourceIP };
  }
  const cluster = profile.clusterCIDR ? parseCIDR(profile.clusterCIDR) : null;
  // without a detector upstream still calls 10.0.0.0/8 sources "pods"; they enter the node the same way
  if ((cluster && cidrContains(cluster, ip)) || /^10\.|^fd00:10:/.test(flow.sourceIP)) return { kind: 'pod', ip: flow.sourceIP, node: profile.nodeName };
  return { kind: 'external', ip: flow.sourceIP };
}

const cases = loadGoldenCases().filter(c => c.flows && c.flows.length > 0);

test('packet-flow tables were found', () => assert.ok(cases.length >= 20, `only ${cases.length}`));

for (const c of cases) {
  test(`packet flows: ${c.name}`, () => {
    const ruleset = generateIptables(c.model, { masqueradeMarkText: '0x4000' });
    const walker = new Walker(c.model, new Map([[c.model.profile.nodeName, ruleset]]));
    for (const flow of c.flows!) {
      const result = walker.trace({
        source: sourceFor(c, flow), dst: flow.destIP, dport: flow.destPort,
        proto: flow.protocol as 'tcp', entryNode: c.model.profile.nodeName,
      });
      const output = result.verdict === 'DNAT' ? result.endpoints.map(e => e.endpoint).join(', ')
        : result.verdict === 'NONE' ? '' : result.verdict;
      assert.equal(output, flow.output, `${flow.name}: output\n${result.summary}`);
      assert.equal(result.masquerade, flow.masq, `${flow.name}: masquerade\n${result.summary}`);
    }
  });
}
