// natlens: the NAT Lens engine on the command line.
import { buildClusterModel } from '../engine/model/cluster';
import { backendFor } from '../engine/proxy/backends';
import { debugCommands, formatDebugText } from '../engine/debug';
import { egressDeciderFor } from '../engine/egress';
import { withProxyMode, type ProxyMode } from '../engine/model/profile';
import { Walker } from '../engine/walk/walk';
import { WalkError } from '../engine/walk/netfilter';
import { requestFromAddresses } from '../engine/walk/request';
import { formatReturning, formatWalk } from '../engine/walk/format';
import { analyzeFile } from '../engine/findings/analyze';
import { formatText, toReported, toSarif } from '../engine/findings/report';
import { parseArgs, UsageError } from './args';
import { formatProblem, InputError, loadInput } from './load';

const USAGE = `Usage:
  natlens rules [--cluster PROFILE] [--mode iptables|nftables|ipvs] [--format FORMAT] [--node NAME] [--verbose] FILE...
  natlens trace [--cluster PROFILE] [--mode iptables|nftables|ipvs] --src IP|POD --dst IP --dport PORT [--proto tcp|udp|sctp] [--node NAME] [--again] [--json] FILE...
  natlens check [--cluster PROFILE] [--format text|json|sarif] FILE...
  natlens debug [--cluster PROFILE] [--mode MODE] [--node NAME] [--service NS/NAME] [--port NAME|NUMBER] FILE...

Commands:
  rules   Print the rules kube-proxy would program on a node for the Services in FILE...
          iptables --format restore (default): the iptables-restore payload kube-proxy writes
          iptables --format save: the same rules as iptables-save prints them back from the kernel
          nftables --format dump (default): kube-proxy's table, object by object, as its tests print it
          nftables --format script: the same table as an nft -f file
          ipvs --format all (default) | ipvsadm | ipset | iptables: ipvsadm -Ln, ipset save, and the
          iptables rules IPVS mode still writes
          --mode: the kube-proxy back end (default: the profile's proxyMode)
  trace   Walk a connection's first packet through those rules, node by node: every endpoint it
          can reach and how likely, whether it is masqueraded, the source the pod sees, the reply.
          The source decides where the walk starts: a node's address (host network), a pod
          address or name (web-0 or namespace/web-0: its node), or anything else (an external
          client entering --node, or the node that owns the destination address).
          --again: also walk the same client's next connection with what the first one left in the
          session-affinity lists (sessionAffinity: ClientIP sends it back to the same endpoint)
          --json: the result as JSON (verdict, endpoints, masquerade, sourceSeenByPod, hops, ...)
  check   The editor's diagnostics for CI: API-invalid Services (the API server's wording) and NAT
          consequences (client IP lost, Local-policy drops, selectors that match nothing, ...).
          Exit 1 when a finding has severity error, 0 otherwise.
  debug   The commands to check a Service's prediction on a real node (iptables/nft/ipvsadm,
          conntrack, tcpdump, kubectl), filled with its chain names, addresses and ports, each with
          what to look for.

Options:
  --cluster PROFILE   cluster profile (YAML or JSON): node, addresses, kube-proxy settings
  --node NAME         generate for this node of the profile (default: the profile's nodeName)
  --verbose           also print informational messages (ignored kinds, assumptions)

Exit status: 0 on success (check: 1 when an error-level finding exists), 2 for unusable input or usage errors.`;

type Args = ReturnType<typeof parseArgs>;

/** Loads the files and the profile, prints their problems; null when an error makes the input unusable. */
function loadModel(args: Args, command: string, io: CliIO) {
  if (args.positional.length === 0) throw new UsageError(`${command}: give at least one manifest FILE`);
  const mode = args.flags.get('mode');
  if (mode !== undefined && mode !== 'iptables' && mode !== 'nftables' && mode !== 'ipvs') throw new UsageError('--mode is iptables, nftables or ipvs');
  const input = loadInput(args.positional, args.flags.get('cluster') as string | undefined);
  const verbose = args.flags.has('verbose');
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info' || verbose) io.err(formatProblem(file, problem) + '\n');
  }
  if (errors > 0) return null;
  const nodeName = args.flags.get('node') as string | undefined;
  if (nodeName !== undefined && !input.profile.nodes.some(n => n.name === nodeName)) {
    throw new UsageError(`--node ${nodeName}: not in the profile (nodes: ${input.profile.nodes.map(n => n.name).join(', ')})`);
  }
  const profile = mode ? withProxyMode(input.profile, mode as ProxyMode) : input.profile;
  const model = buildClusterModel(input.files.flatMap(f => f.objects), profile);
  if (verbose) for (const a of model.assumptions) io.err(`assumption: ${a.subject} ${a.field} = ${a.value} (${a.reason})\n`);
  return { model, nodeName, files: input.files };
}

function rulesCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster', 'mode', 'format', 'node'], ['verbose']);
  const loaded = loadModel(args, 'rules', io);
  if (!loaded) return 2;
  const { model } = loaded;
  const backend = backendFor(model.profile.proxyMode);
  const format = (args.flags.get('format') as string | undefined) ?? backend.formats[0];
  if (!backend.formats.includes(format)) throw new UsageError(`--format for ${backend.mode} mode is ${backend.formats.join(' or ')}`);
  io.out(backend.rulesText(model, loaded.nodeName ?? model.profile.nodeName, format).text);
  return 0;
}

function debugCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster', 'mode', 'node', 'service', 'port'], ['verbose']);
  const loaded = loadModel(args, 'debug', io);
  if (!loaded) return 2;
  const fileNames = new Set(loaded.files.map(f => f.fileName));
  const wanted = args.flags.get('service') as string | undefined;
  const services = loaded.model.services.filter(s => fileNames.has(s.obj.fileName) && (!wanted || `${s.obj.namespace}/${s.obj.name}` === wanted));
  if (services.length === 0) throw new UsageError(wanted ? `debug: no Service ${wanted} in the files` : 'debug: no Service in the files');
  const port = args.flags.get('port') as string | undefined;
  for (const s of services) {
    const list = debugCommands(loaded.model, s, { nodeName: loaded.nodeName ?? loaded.model.profile.nodeName, proxyMode: loaded.model.profile.proxyMode, ...(port ? { port: /^\d+$/.test(port) ? Number(port) : port } : {}) });
    io.out(formatDebugText(list, { heading: `Check ${s.obj.namespace}/${s.obj.name} on node ${loaded.nodeName ?? loaded.model.profile.nodeName} (${loaded.model.profile.proxyMode} mode)` }) + '\n');
  }
  return 0;
}

function traceCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster', 'mode', 'node', 'src', 'dst', 'dport', 'proto'], ['json', 'verbose', 'again']);
  for (const required of ['src', 'dst', 'dport']) if (!args.flags.has(required)) throw new UsageError(`trace: --${required} is required`);
  const proto = (args.flags.get('proto') ?? 'tcp') as string;
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new UsageError('--proto is tcp, udp or sctp');
  const loaded = loadModel(args, 'trace', io);
  if (!loaded) return 2;
  try {
    const walker = new Walker(loaded.model, new Map(), loaded.model.profile.proxyMode, egressDeciderFor(loaded.files, loaded.model.profile));
    const request = requestFromAddresses(walker.network, {
      src: String(args.flags.get('src')), dst: String(args.flags.get('dst')), dport: Number(args.flags.get('dport')), proto,
      ...(loaded.nodeName ? { node: loaded.nodeName } : {}),
    });
    const result = walker.trace(request);
    const again = args.flags.has('again') ? walker.returning(request) : null;
    if (args.flags.has('json')) {
      const next = again?.map(r => ({ after: r.first.endpoint, probability: r.first.probability, next: r.again }));
      io.out(JSON.stringify(next ? { ...result, again: next } : result, null, 2) + '\n');
    } else {
      io.out(formatWalk(result) + (again ? formatReturning(again) : ''));
    }
    return 0;
  } catch (e) {
    if (e instanceof WalkError) throw new UsageError(`trace: ${e.message}`);
    throw e;
  }
}

function checkCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster', 'format', 'mode'], ['verbose']);
  const format = args.flags.get('format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'sarif') throw new UsageError('--format is text, json or sarif');
  const loaded = loadModel(args, 'check', io);
  if (!loaded) return 2;
  const findings = loaded.files.flatMap(file => analyzeFile(file, loaded.model, { workspace: loaded.files }).map(f => toReported(file.fileName, f)));
  if (format === 'json') io.out(JSON.stringify(findings, null, 2) + '\n');
  else if (format === 'sarif') io.out(JSON.stringify(toSarif(findings, VERSION), null, 2) + '\n');
  else io.out(formatText(findings));
  return findings.some(f => f.severity === 'error') ? 1 : 0;
}

declare const NATLENS_VERSION: string | undefined;
const VERSION = typeof NATLENS_VERSION === 'string' ? NATLENS_VERSION : '0.0.0-dev';

export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const processIO: CliIO = { out: s => void process.stdout.write(s), err: s => void process.stderr.write(s) };

export function main(argv: readonly string[], io: CliIO = processIO): number {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'rules': return rulesCommand(rest, io);
      case 'trace': return traceCommand(rest, io);
      case 'check': return checkCommand(rest, io);
      case 'debug': return debugCommand(rest, io);
      case undefined: case 'help': case '--help': case '-h':
        io.out(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      io.err(`natlens: ${e.message}\n${e instanceof UsageError ? 'Run "natlens help" for usage.\n' : ''}`);
      return 2;
    }
    throw e;
  }
}
