// natlens: the NAT Lens engine on the command line.
import { buildClusterModel } from '../engine/model/cluster';
import { generateIptables } from '../engine/proxy/iptables/generator';
import { toIptablesSave } from '../engine/proxy/iptables/save';
import { parseArgs, UsageError } from './args';
import { formatProblem, InputError, loadInput } from './load';

const USAGE = `Usage:
  natlens rules [--cluster PROFILE] [--mode iptables] [--format restore|save] [--node NAME] [--verbose] FILE...

Commands:
  rules   Print the rules kube-proxy would program on a node for the Services in FILE...
          --format restore (default): the iptables-restore payload kube-proxy writes
          --format save: the same rules as iptables-save prints them back from the kernel

Options:
  --cluster PROFILE   cluster profile (YAML or JSON): node, addresses, kube-proxy settings
  --node NAME         generate for this node of the profile (default: the profile's nodeName)
  --verbose           also print informational messages (ignored kinds, assumptions)

Exit status: 0 on success, 2 for unusable input or usage errors.`;

function write(text: string): void {
  process.stdout.write(text);
}

function rulesCommand(argv: readonly string[]): number {
  const args = parseArgs(argv, ['cluster', 'mode', 'format', 'node'], ['verbose']);
  if (args.positional.length === 0) throw new UsageError('rules: give at least one manifest FILE');
  const mode = args.flags.get('mode') ?? 'iptables';
  if (mode !== 'iptables') throw new UsageError(`--mode ${String(mode)} is not supported yet; only iptables`);
  const format = args.flags.get('format') ?? 'restore';
  if (format !== 'restore' && format !== 'save') throw new UsageError('--format is restore or save');
  const input = loadInput(args.positional, args.flags.get('cluster') as string | undefined);
  const verbose = args.flags.has('verbose');
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info' || verbose) process.stderr.write(formatProblem(file, problem) + '\n');
  }
  if (errors > 0) return 2;
  const nodeName = (args.flags.get('node') as string | undefined) ?? input.profile.nodeName;
  if (!input.profile.nodes.some(n => n.name === nodeName)) {
    throw new UsageError(`--node ${nodeName}: not in the profile (nodes: ${input.profile.nodes.map(n => n.name).join(', ')})`);
  }
  const model = buildClusterModel(input.files.flatMap(f => f.objects), input.profile);
  if (verbose) for (const a of model.assumptions) process.stderr.write(`assumption: ${a.subject} ${a.field} = ${a.value} (${a.reason})\n`);
  const ruleset = generateIptables(model, { nodeName });
  write(format === 'save' ? toIptablesSave(ruleset, input.profile.ipFamily) : ruleset.payload);
  return 0;
}

export function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'rules': return rulesCommand(rest);
      case undefined: case 'help': case '--help': case '-h':
        write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      process.stderr.write(`natlens: ${e.message}\n${e instanceof UsageError ? 'Run "natlens help" for usage.\n' : ''}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
