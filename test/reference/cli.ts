// npm run reference -- [--cluster PROFILE] [--mode iptables|nftables|ipvs] [--node NAME] [--keep] [--dump-dir DIR] FILE...
// Runs the input on the real kube-apiserver, EndpointSlice controller and kube-proxy (built from
// test/reference) and prints, per node, the difference between the real kube-proxy's ruleset and
// `natlens rules` for the same input, both in canonical order. Exit 0: identical; 1: a difference;
// 2: unusable input or the reference cluster cannot run here.
import { readFileSync } from 'node:fs';
import { parseArgs, UsageError } from '../../extension/src/cli/args';
import { formatProblem, InputError, loadInput } from '../../extension/src/cli/load';
import { ensureBuilt, ipvsUnavailable, pinnedKubernetesVersion, referenceUnavailable } from './build';
import { ReferenceHarness, versionMatches, type BatchResult } from './reference';
import type { ReferenceMode } from './kubeProxy';

const USAGE = 'Usage: npm run reference -- [--cluster PROFILE] [--mode iptables|nftables|ipvs] [--node NAME] [--keep] [--dump-dir DIR] FILE...';
/** The lab's bound on how long node namespaces live (test/kernel/lab.ts withLab); the API server stays longer. */
const KEEP_NODES_MS = 13 * 60_000;

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'cluster', value: 'PROFILE', help: 'cluster profile' },
    { name: 'mode', value: 'MODE', help: 'iptables, nftables or ipvs' },
    { name: 'node', value: 'NAME', help: 'only this node of the profile' },
    { name: 'keep', help: 'leave the cluster running until interrupted' },
    { name: 'dump-dir', value: 'DIR', help: "write each node's ruleset (iptables-save -c, nft list ruleset) to DIR" },
  ]);
  const keep = args.flags.has('keep');
  if (args.positional.length === 0 && !keep) throw new UsageError('give at least one manifest FILE');
  const input = loadInput(args.positional, args.flags.get('cluster') as string | undefined, () => readFileSync(0, 'utf8'));
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info') process.stderr.write(formatProblem(file, problem) + '\n');
  }
  if (errors > 0) return 2;
  const mode = (args.flags.get('mode') as string | undefined) ?? input.profile.proxyMode;
  if (mode === 'ipvs') {
    const why = ipvsUnavailable();
    process.stderr.write(why ? `reference: skipping IPVS mode: ${why}\n` : 'reference: IPVS mode is not compared by this harness yet\n');
    return 0;
  }
  if (mode !== 'iptables' && mode !== 'nftables') throw new UsageError('--mode is iptables, nftables or ipvs');
  const node = args.flags.get('node') as string | undefined;
  if (node !== undefined && !input.profile.nodes.some(n => n.name === node)) throw new UsageError(`--node ${node}: not in the profile (nodes: ${input.profile.nodes.map(n => n.name).join(', ')})`);
  const pinned = pinnedKubernetesVersion();
  if (!versionMatches(input.profile.kubernetesVersion, pinned)) {
    process.stderr.write(`reference: the profile models Kubernetes ${input.profile.kubernetesVersion}, but the reference cluster is built from ${pinned} (test/reference/go.mod); `
      + `use a profile with kubernetesVersion "${pinned.replace(/^v/, '').split('.').slice(0, 2).join('.')}", or pin test/reference to that release (node test/reference/pin.mjs VERSION)\n`);
    return 2;
  }
  const unavailable = referenceUnavailable();
  if (unavailable) { process.stderr.write(`reference: cannot run the reference cluster here: ${unavailable}\n`); return 2; }
  const built = ensureBuilt(line => process.stderr.write(`reference: ${line}\n`));
  const harness = await ReferenceHarness.start(built, input.profile);
  // `on`, not `once`: while a listener is left, the kernel lab's own handler tears the namespaces
  // down without killing the process, so the control plane is stopped below too
  let stopRequested = false;
  let onStop = () => {};
  const interrupted = keep ? new Promise<void>(resolve => { onStop = () => { stopRequested = true; resolve(); }; }) : Promise.resolve();
  if (keep) { process.on('SIGINT', onStop); process.on('SIGTERM', onStop); }
  let printed = false;
  let different = false;
  const print = (result: BatchResult) => {
    if (printed) return;
    printed = true;
    for (const note of result.environment) process.stderr.write(`reference: the real cluster here has ${note}\n`);
    for (const [key, message] of result.rejected) process.stderr.write(`reference: the API server refused ${key} (left out on both sides): ${message}\n`);
    for (const f of result.sliceFindings) { different = true; process.stdout.write(`EndpointSlice difference: ${f}\n`); }
    for (const n of result.nodes) if (n.diff) { different = true; process.stdout.write(n.diff); }
  };
  try {
    const dumpDir = args.flags.get('dump-dir') as string | undefined;
    const result = await harness.runBatch(input.files.flatMap(f => f.objects), input.profile, {
      modes: [mode as ReferenceMode], ...(node ? { nodes: [node] } : {}), ...(dumpDir ? { dumpDir } : {}),
      ...(keep ? {
        whileRunning: async ({ result: now }) => {
          print(now);
          // one line per fact, so a test can read the paths
          process.stdout.write(`reference: cluster running until Ctrl-C (node namespaces and kube-proxy for at most ${KEEP_NODES_MS / 60_000} minutes)\n`
            + `kubeconfig: ${harness.cp.kubeconfig}\nviewer kubeconfig: ${harness.cp.viewerKubeconfig} (user natlens-viewer: RBAC grants it nothing until a role is bound)\n`);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([interrupted, new Promise(r => { timer = setTimeout(r, KEEP_NODES_MS); })]);
          clearTimeout(timer);
        },
      } : {}),
    });
    print(result);
    if (keep && !stopRequested) {
      process.stdout.write('reference: node namespaces stopped; the API server keeps running until Ctrl-C\n');
      await interrupted;
    }
  } finally {
    await harness.stop();
    process.removeListener('SIGINT', onStop);
    process.removeListener('SIGTERM', onStop);
  }
  return different ? 1 : 0;
}

main(process.argv.slice(2)).then(code => process.exit(code), e => {
  if (e instanceof UsageError || e instanceof InputError) {
    process.stderr.write(`reference: ${e.message}\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`reference: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(3);
});
