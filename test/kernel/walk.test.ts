// The packet walk (extension/src/engine/walk/walk.ts) against real packets, iptables mode. A two-node
// lab cluster (test/kernel/lab.ts) runs the rules generateIptables() makes for each node; for every
// case the walk predicts which endpoints a connection can reach and which source address each pod
// sees, then real connections are made and the kernel's answer must match:
//   - the set of endpoints reached == the set the walk predicts (probability > 0);
//   - every reached pod saw exactly the source address the walk predicts for it;
//   - DROP: every try times out, REJECT: every try is refused, and in both cases the packet counters
//     of the chain the walk names as the last hop grew by at least one per try.
// Each case also pins what the walk should say (`expect`), so a case cannot silently stop exercising
// what its name says. Everything runs twice: pod links with a gateway address (bridge/ptp CNI style)
// and without one (Calico style), which changes the address MASQUERADE picks towards a local pod.
// The cluster, the cases and the comparison are shared with walk-nft.test.ts (walk-cases.ts).
// Needs root, network namespaces and iptables; otherwise it is skipped with the reason.
import { test } from 'node:test';
import { netnsSupport } from './lab';
import { iptablesBackend } from './iptables-record';
import { Walker } from '../../extension/src/engine/walk/walk';
import { buildModel, cases, runLab } from './walk-cases';

const support = netnsSupport();
if (!support.ok) console.log(`# kernel lab unavailable, skipping: ${support.reason}`);

for (const style of ['ip', 'none'] as const) {
  const title = `walk vs kernel, pod gateway ${style === 'ip' ? 'address (bridge/ptp CNI)' : 'none (Calico style)'}`;
  test(title, { skip: support.ok ? false : support.reason }, async (t) => {
    const model = buildModel(style);
    const walker = new Walker(model);
    await runLab(t, style, model, walker, cases(style), iptablesBackend);
  });
}
