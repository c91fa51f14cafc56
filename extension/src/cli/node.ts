// `natlens node trace|conntrack|ipvs|diff DUMP …`: a real node's pasted rules, read and executed.
import { readFileSync } from 'node:fs';
import { parseNodeDump, type NodeDump } from '../engine/node/dump';
import { NODE_HOOKS, type NodeHook, type NodePacket, type Start } from '../engine/node/interpreter';
import { formatConntrack, formatDiff, formatIpvs, formatNodeTrace } from '../engine/node/format';
import { explainConntrack } from '../engine/node/conntrack';
import { diffNode } from '../engine/node/diff';
import { buildClusterModel, type ClusterModel } from '../engine/model/cluster';
import { NodeTraceError, traceNode } from '../engine/node/trace';
import { parseIP } from '../engine/util/ip';
import { parseArgs, UsageError } from './args';
import { formatProblem, InputError, loadInput } from './load';
import type { CliIO } from './main';

export const NODE_USAGE = `  natlens node trace DUMP [--family ip|ip6] [--table TABLE] [--hook HOOK | --chain CHAIN]
         --src IP --dst IP [--proto tcp|udp|sctp|icmp] [--sport N] [--dport N]
         [--in-iface IF] [--out-iface IF] [--mark 0xN] [--ctstate STATE] [--ctstatus STATUS]
         [--local IP]... [--physdev-in] [--recent LIST=IP]... [--json]
  natlens node conntrack DUMP [--json] [--cluster PROFILE] [MANIFEST...]
  natlens node ipvs DUMP [--json]
  natlens node diff DUMP [--cluster PROFILE] [--node NAME] MANIFEST...`;

export const NODE_HELP = `  node    Read what was pasted from a node (iptables-save [-c], nft list ruleset, ipvsadm -Ln,
          ipset save/list, conntrack -L; prompts, grep prefixes and several dumps in one file are
          fine) and explain it. Lines it cannot read are listed with their line number.
          trace: run a packet through the node's own rules (every table of --hook in kernel order,
          default PREROUTING, or --chain of --table, default nat); what the paste does not show
          (an ipset, a chain, whether an address is local: give --local) ends the walk UNRESOLVED
          conntrack: each entry's DNAT/SNAT from its reply tuple, its Service, and whether its
          endpoint is stale (not in MANIFEST..., or else not in the paste's own kube-proxy rules),
          with the conntrack -D command that deletes it; ipvs: the virtual servers
          diff: the node's kube-proxy rules against what kube-proxy would write for MANIFEST...
          per Service (missing, extra, different), and the profile the dump implies; exit 1 when
          there are differences`;

/** Flags that may be given more than once; parseArgs keeps one value per flag. */
function takeRepeated(argv: readonly string[], names: readonly string[]): { rest: string[]; values: Map<string, string[]> } {
  const rest: string[] = [];
  const values = new Map<string, string[]>(names.map(n => [n, []]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const name = names.find(n => a === `--${n}` || a.startsWith(`--${n}=`));
    if (!name) { rest.push(a); continue; }
    const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.get(name)!.push(value);
  }
  return { rest, values };
}

function readDump(path: string | undefined): { dump: NodeDump; path: string } {
  if (!path) throw new UsageError('node: give the DUMP file');
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot be read`);
  }
  return { dump: parseNodeDump(text), path };
}

function reportUnknown(dump: NodeDump, path: string, io: CliIO): void {
  for (const u of dump.unknown.slice(0, 50)) io.err(`${path}:${u.line + 1}: info: ${u.reason}: ${u.text.slice(0, 120)}\n`);
  if (dump.unknown.length > 50) io.err(`${path}: info: ${dump.unknown.length - 50} more lines not read\n`);
}

const number = (flag: string, v: string | true | undefined, max: number): number | null => {
  if (v === undefined) return null;
  const n = Number(v);
  if (typeof v !== 'string' || !/^(0x[0-9a-f]+|\d+)$/i.test(v) || n > max) throw new UsageError(`--${flag} ${String(v)}: not a number up to ${max}`);
  return n;
};

function traceCommand(argv: readonly string[], io: CliIO): number {
  const { rest, values } = takeRepeated(argv, ['local', 'recent']);
  const args = parseArgs(rest, ['family', 'table', 'hook', 'chain', 'src', 'dst', 'proto', 'sport', 'dport', 'in-iface', 'out-iface', 'mark', 'ctstate', 'ctstatus'], ['json', 'physdev-in']);
  const { dump, path } = readDump(args.positional[0]);
  if (args.positional.length > 1) throw new UsageError('node trace: give one DUMP file');
  const get = (f: string) => args.flags.get(f) as string | undefined;
  for (const f of ['src', 'dst']) if (!get(f)) throw new UsageError(`node trace: --${f} is required`);
  for (const f of ['src', 'dst']) if (!parseIP(get(f)!)) throw new UsageError(`--${f} ${get(f)}: not an IP address`);
  const family = get('family') ?? (get('dst')!.includes(':') ? 'ip6' : 'ip');
  if (family !== 'ip' && family !== 'ip6') throw new UsageError('--family is ip or ip6');
  const proto = get('proto') ?? 'tcp';
  if (!['tcp', 'udp', 'sctp', 'icmp'].includes(proto)) throw new UsageError('--proto is tcp, udp, sctp or icmp');
  if (get('hook') && get('chain')) throw new UsageError('node trace: give --hook or --chain, not both');
  const hook = (get('hook') ?? (get('chain') ? undefined : 'PREROUTING'))?.toUpperCase();
  if (hook !== undefined && !NODE_HOOKS.includes(hook as NodeHook)) throw new UsageError(`--hook is one of ${NODE_HOOKS.join(', ')}`);
  const start: Start = hook ? { hook: hook as NodeHook } : { table: get('table') ?? 'nat', chain: get('chain')! };
  const recent = values.get('recent')!.map(r => {
    const [list, address] = r.split('=');
    if (!list || !address || !parseIP(address)) throw new UsageError(`--recent ${r}: give LIST=IP`);
    return { list, address };
  });
  for (const ip of values.get('local')!) if (!parseIP(ip)) throw new UsageError(`--local ${ip}: not an IP address`);
  const packet: NodePacket = {
    family, src: get('src')!, dst: get('dst')!, proto,
    sport: number('sport', get('sport'), 65535), dport: number('dport', get('dport'), 65535),
    inIface: get('in-iface') ?? null, outIface: get('out-iface') ?? null,
    mark: number('mark', get('mark'), 0xffffffff) ?? 0,
    ctstate: (get('ctstate') ?? 'NEW').toUpperCase().split(','), ctstatus: get('ctstatus')?.toUpperCase().split(',') ?? null,
    local: values.get('local')!.length ? values.get('local')! : null,
    physdevIn: args.flags.has('physdev-in'), recent,
  };
  reportUnknown(dump, path, io);
  try {
    const report = traceNode(dump, packet, start);
    io.out(args.flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatNodeTrace(report));
    return 0;
  } catch (e) {
    if (e instanceof NodeTraceError) throw new UsageError(`node trace: ${e.message}`);
    throw e;
  }
}

/** Manifests and profile beside the dump, as the other commands load them; null when they are unusable. */
function loadManifests(paths: readonly string[], profilePath: string | undefined, io: CliIO): ClusterModel | null {
  const input = loadInput(paths, profilePath);
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info') io.err(formatProblem(file, problem) + '\n');
  }
  return errors ? null : buildClusterModel(input.files.flatMap(f => f.objects), input.profile);
}

function conntrackCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster'], ['json']);
  const { dump, path } = readDump(args.positional[0]);
  reportUnknown(dump, path, io);
  const manifests = args.positional.slice(1);
  const model = manifests.length ? loadManifests(manifests, args.flags.get('cluster') as string | undefined, io) : null;
  if (manifests.length && !model) return 2;
  const report = explainConntrack(dump, model);
  io.out(args.flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatConntrack(report));
  return 0;
}

function ipvsCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, [], ['json']);
  const { dump, path } = readDump(args.positional[0]);
  reportUnknown(dump, path, io);
  const virtualServices = dump.ipvs.map(v => ({
    proto: v.proto, vip: v.vip, port: v.port, scheduler: v.scheduler,
    realServers: v.realServers.map(r => ({ addr: r.addr, forward: r.forward, weight: r.weight, active: r.active, inactive: r.inactive })),
  }));
  io.out(args.flags.has('json') ? JSON.stringify({ virtualServices }, null, 2) + '\n' : formatIpvs(dump.ipvs));
  return 0;
}

function diffCommand(argv: readonly string[], io: CliIO): number {
  const args = parseArgs(argv, ['cluster', 'node'], ['json']);
  const { dump, path } = readDump(args.positional[0]);
  const manifests = args.positional.slice(1);
  if (manifests.length === 0) throw new UsageError('node diff: give the MANIFEST files to predict the rules from');
  reportUnknown(dump, path, io);
  const model = loadManifests(manifests, args.flags.get('cluster') as string | undefined, io);
  if (!model) return 2;
  const nodeName = (args.flags.get('node') as string | undefined) ?? model.profile.nodeName;
  if (!model.profile.nodes.some(n => n.name === nodeName)) throw new UsageError(`--node ${nodeName}: not in the profile (nodes: ${model.profile.nodes.map(n => n.name).join(', ')})`);
  const diff = diffNode(dump, model, nodeName);
  io.out(args.flags.has('json') ? JSON.stringify(diff, null, 2) + '\n' : formatDiff(diff));
  return diff.services.length ? 1 : 0;
}

export function nodeCommand(argv: readonly string[], io: CliIO): number {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'trace': return traceCommand(rest, io);
    case 'conntrack': return conntrackCommand(rest, io);
    case 'ipvs': return ipvsCommand(rest, io);
    case 'diff': return diffCommand(rest, io);
    default: throw new UsageError(`node: unknown subcommand "${sub ?? ''}" (trace, conntrack, ipvs, diff)`);
  }
}
