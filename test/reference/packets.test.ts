// Real packets through the real kube-proxy's rules: the kernel lab's walk cases (test/kernel
// walk-cases.ts), but the lab nodes are programmed by kube-proxy itself, from the lab's Services and
// EndpointSlices in the real API server. Every connection must reach the endpoints, and show the pods
// the source addresses, that NAT Lens's walk predicts on NAT Lens's own rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Walker } from '../../extension/src/engine/walk/walk';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { iptablesRecord } from '../kernel/iptables-record';
import { cases, labInput, runLab, type KernelBackend, type Style } from '../kernel/walk-cases';
import { ensureBuilt, referenceUnavailable } from './build';
import type { NodeProxy } from './kubeProxy';
import { environmentProfile, ReferenceHarness } from './reference';

const unavailable = referenceUnavailable()
  ?? (process.env['NATLENS_REFERENCE_SCOPE'] === 'examples' ? 'NATLENS_REFERENCE_SCOPE=examples runs the examples only' : null);
if (unavailable) console.log(`# reference packets skipped: ${unavailable}`);

for (const style of ['ip', 'none'] as const satisfies readonly Style[]) {
  test(`real kube-proxy (iptables mode) vs the walk, pod gateway ${style}`, { skip: unavailable ?? false }, async t => {
    const { objects, profile } = labInput(style, 'iptables');
    const model = buildClusterModel(objects, profile);
    const built = ensureBuilt(line => t.diagnostic(line));
    const harness = await ReferenceHarness.start(built, profile);
    const proxies: NodeProxy[] = [];
    const realKubeProxy: KernelBackend = {
      async load(lab) {
        const env = (await environmentProfile(built, profile)).profile;
        const { rejected } = await harness.apply(objects, env);
        assert.deepEqual([...rejected], [], 'the API server takes the lab input as it is');
        proxies.push(...await harness.startProxies(lab, env, 'iptables', ['node1', 'node2']));
      },
      ...iptablesRecord,
      // the control plane's apply and kube-proxy's start and sync come first (slow on a busy machine)
      maxRuntimeMs: 8 * 60_000,
    };
    try {
      await runLab(t, style, model, new Walker(model), cases(style), realKubeProxy);
    } finally {
      await Promise.all(proxies.map(p => p.stop()));
      await harness.stop();
    }
  });
}
