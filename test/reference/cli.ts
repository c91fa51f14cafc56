// npm run reference -- [--cluster PROFILE] [--mode iptables|nftables|ipvs] [--node NAME] [--keep] FILE...
// Runs the input on the real kube-apiserver, EndpointSlice controller and kube-proxy (built from
// test/reference) and prints, per node, the difference between the real kube-proxy's ruleset and
// `natlens rules` for the same input, both in canonical order. Exit 0: identical; 1: a difference;
// 2: unusable input or the reference cluster cannot run here.
import { readFileSync } from 'node:fs';
import { parseArgs, UsageError } from '../../extension/src/cli/args';
import { formatProblem, InputError, loadInput } from '../../extension/src/cli/load';
import { ensureBuilt, ipvsUnavailable, pinnedKubernetesVersion, referenceUnavailable } from './build';
import { ReferenceHarness, versionMatches } from './reference';
import type { ReferenceMode } from './kubeProxy';

const USAGE = 'Usage: npm run reference -- [--cluster PROFILE] [--mode iptables|nftables|ipvs] [--node NAME] [--keep] FILE...';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    { name: 'cluster', value: 'PROFILE', help: 'cluster profile' },
    { name: 'mode', value: 'MODE', help: 'iptables, nftables or ipvs' },
    { name: 'node', value: 'NAME', help: 'only this node of the profile' },
    { name: 'keep', help: 'leave the cluster running until interrupted' },
  ]);
  if (args.positional.length === 0) throw new UsageError('give at least one manifest FILE');
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
  let different = false;
  try {
    const result = await harness.runBatch(input.files.flatMap(f => f.objects), input.profile, {
      modes: [mode as ReferenceMode], ...(node ? { nodes: [node] } : {}),
      ...(args.flags.has('keep') ? {
        whileRunning: async () => {
          process.stdout.write(`reference: cluster running; kubeconfig: ${harness.cp.kubeconfig}\nreference: press Ctrl-C to stop\n`);
          await new Promise<void>(resolve => { process.once('SIGINT', resolve); process.once('SIGTERM', resolve); });
        },
      } : {}),
    });
    for (const note of result.environment) process.stderr.write(`reference: from this machine: ${note}\n`);
    for (const [key, message] of result.rejected) process.stderr.write(`reference: the API server refused ${key} (left out on both sides): ${message}\n`);
    for (const f of result.sliceFindings) { different = true; process.stdout.write(`EndpointSlice difference: ${f}\n`); }
    for (const n of result.nodes) if (n.diff) { different = true; process.stdout.write(n.diff); }
  } finally {
    await harness.stop();
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
