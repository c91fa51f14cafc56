// natlens node trace|conntrack|ipvs|diff DUMP …: a real node's pasted rules, read and executed.
import { readFileSync } from 'node:fs';
import { buildClusterModel, type ClusterModel } from '../../engine/model/cluster';
import { readCniConfig } from '../../engine/egress/workspace';
import { explainConntrack } from '../../engine/node/conntrack';
import { diffNode } from '../../engine/node/diff';
import { parseNodeDump, type NodeDump } from '../../engine/node/dump';
import { formatConntrack, formatDiff, formatIpvs, formatNodeTrace } from '../../engine/node/format';
import { NODE_HOOKS, type NodeHook, type NodePacket, type Start } from '../../engine/node/interpreter';
import { NodeTraceError, traceNode } from '../../engine/node/trace';
import { parseIP } from '../../engine/util/ip';
import { UsageError, type ParsedArgs } from '../args';
import { CLUSTER, type CliIO, type Command } from '../command';
import { formatProblem, InputError, loadInput } from '../load';

const MAX_DUMP_BYTES = 64 * 1024 * 1024;

function readDump(path: string | undefined, io: CliIO): { dump: NodeDump; path: string } {
  if (!path) throw new UsageError('node: give the DUMP file');
  let text: string;
  try {
    text = path === '-' ? (io.stdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(path, 'utf8');
  } catch {
    throw new InputError(`${path}: cannot be read`);
  }
  if (text.length > MAX_DUMP_BYTES) throw new InputError(`${path}: too large to analyse`);
  return { dump: parseNodeDump(text), path };
}

/** Lines no reader recognised, as information on stderr (never fatal). */
function reportUnknown(dump: NodeDump, path: string, io: CliIO): void {
  for (const u of dump.unknown.slice(0, 50)) io.err(`${path}:${u.line + 1}: info: ${u.reason}: ${u.text.slice(0, 120)}\n`);
  if (dump.unknown.length > 50) io.err(`${path}: info: ${dump.unknown.length - 50} more lines not read\n`);
}

function number(flag: string, v: string | true | undefined, max: number): number | null {
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^(0x[0-9a-f]+|\d+)$/i.test(v) || Number(v) > max) throw new UsageError(`--${flag} ${String(v)}: not a number up to ${max}`);
  return Number(v);
}

/** Manifests and profile beside the dump, loaded as the other commands load them; null when unusable. */
function loadManifests(paths: readonly string[], profilePath: string | undefined, io: CliIO): ClusterModel | null {
  const input = loadInput(paths, profilePath, io.stdin ?? (() => readFileSync(0, 'utf8')));
  let errors = 0;
  for (const { file, problem } of input.problems) {
    if (problem.severity === 'error') errors++;
    if (problem.severity !== 'info') io.err(formatProblem(file, problem) + '\n');
  }
  return errors ? null : buildClusterModel(input.files.flatMap(f => f.objects), input.profile, { cni: readCniConfig(input.files) });
}

function packetOf(args: ParsedArgs): NodePacket {
  const get = (f: string) => args.flags.get(f) as string | undefined;
  for (const f of ['src', 'dst']) {
    if (!get(f)) throw new UsageError(`node trace: --${f} is required`);
    if (!parseIP(get(f)!)) throw new UsageError(`--${f} ${get(f)}: not an IP address`);
  }
  const family = get('family') ?? (get('dst')!.includes(':') ? 'ip6' : 'ip');
  if (family !== 'ip' && family !== 'ip6') throw new UsageError('--family is ip or ip6');
  const proto = get('proto') ?? 'tcp';
  if (!['tcp', 'udp', 'sctp', 'icmp'].includes(proto)) throw new UsageError('--proto is tcp, udp, sctp or icmp');
  const local = args.lists.get('local') ?? [];
  for (const ip of local) if (!parseIP(ip)) throw new UsageError(`--local ${ip}: not an IP address`);
  const recent = (args.lists.get('recent') ?? []).map(r => {
    const [list, address] = r.split('=');
    if (!list || !address || !parseIP(address)) throw new UsageError(`--recent ${r}: give LIST=IP`);
    return { list, address };
  });
  return {
    family, src: get('src')!, dst: get('dst')!, proto,
    sport: number('sport', get('sport'), 65535), dport: number('dport', get('dport'), 65535),
    inIface: get('in-iface') ?? null, outIface: get('out-iface') ?? null,
    mark: number('mark', get('mark'), 0xffffffff) ?? 0,
    ctstate: (get('ctstate') ?? 'NEW').toUpperCase().split(','), ctstatus: get('ctstatus')?.toUpperCase().split(',') ?? null,
    local: local.length ? local : null, physdevIn: args.flags.has('physdev-in'), recent,
  };
}

function startOf(args: ParsedArgs): Start {
  const hook = args.flags.get('hook') as string | undefined;
  const chain = args.flags.get('chain') as string | undefined;
  if (hook && chain) throw new UsageError('node trace: give --hook or --chain, not both');
  if (chain) return { table: (args.flags.get('table') as string | undefined) ?? 'nat', chain };
  const h = (hook ?? 'PREROUTING').toUpperCase();
  if (!NODE_HOOKS.includes(h as NodeHook)) throw new UsageError(`--hook is one of ${NODE_HOOKS.join(', ')}`);
  return { hook: h as NodeHook };
}

const SUBCOMMANDS: Record<string, (args: ParsedArgs, files: readonly string[], io: CliIO) => number> = {
  trace(args, [file, ...extra], io) {
    if (extra.length) throw new UsageError('node trace: give one DUMP file');
    const packet = packetOf(args);
    const start = startOf(args);
    const { dump, path } = readDump(file, io);
    reportUnknown(dump, path, io);
    try {
      const report = traceNode(dump, packet, start);
      io.out(args.flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatNodeTrace(report));
      return 0;
    } catch (e) {
      if (e instanceof NodeTraceError) throw new UsageError(`node trace: ${e.message}`);
      throw e;
    }
  },
  conntrack(args, [file, ...manifests], io) {
    const { dump, path } = readDump(file, io);
    reportUnknown(dump, path, io);
    const model = manifests.length ? loadManifests(manifests, args.flags.get('cluster') as string | undefined, io) : null;
    if (manifests.length && !model) return 2;
    const report = explainConntrack(dump, model);
    io.out(args.flags.has('json') ? JSON.stringify(report, null, 2) + '\n' : formatConntrack(report));
    return 0;
  },
  ipvs(args, [file], io) {
    const { dump, path } = readDump(file, io);
    reportUnknown(dump, path, io);
    const virtualServices = dump.ipvs.map(v => ({
      proto: v.proto, vip: v.vip, port: v.port, scheduler: v.scheduler,
      realServers: v.realServers.map(r => ({ addr: r.addr, forward: r.forward, weight: r.weight, active: r.active, inactive: r.inactive })),
    }));
    io.out(args.flags.has('json') ? JSON.stringify({ virtualServices }, null, 2) + '\n' : formatIpvs(dump.ipvs));
    return 0;
  },
  diff(args, [file, ...manifests], io) {
    if (manifests.length === 0) throw new UsageError('node diff: give the MANIFEST files to predict the rules from');
    const { dump, path } = readDump(file, io);
    reportUnknown(dump, path, io);
    const model = loadManifests(manifests, args.flags.get('cluster') as string | undefined, io);
    if (!model) return 2;
    const nodeName = (args.flags.get('node') as string | undefined) ?? model.profile.nodeName;
    if (!model.profile.nodes.some(n => n.name === nodeName)) throw new UsageError(`--node ${nodeName}: not in the profile (nodes: ${model.profile.nodes.map(n => n.name).join(', ')})`);
    const diff = diffNode(dump, model, nodeName);
    io.out(args.flags.has('json') ? JSON.stringify(diff, null, 2) + '\n' : formatDiff(diff));
    return diff.services.length ? 1 : 0;
  },
};

export const node: Command = {
  name: 'node',
  summary: 'Explain a real node: trace packets through its pasted rules, conntrack, ipvs, diff',
  synopsis: [
    'natlens node trace DUMP [--family ip|ip6] [--table TABLE] [--hook HOOK | --chain CHAIN] --src IP --dst IP [--proto tcp|udp|sctp|icmp] [--sport N] [--dport N] [--in-iface IF] [--out-iface IF] [--mark 0xN] [--ctstate STATE] [--ctstatus STATUS] [--local IP]... [--physdev-in] [--recent LIST=IP]... [--json]',
    'natlens node conntrack DUMP [--json] [--cluster PROFILE] [MANIFEST...]',
    'natlens node ipvs DUMP [--json]',
    'natlens node diff DUMP [--cluster PROFILE] [--node NAME] [--json] MANIFEST...',
  ],
  description: `Read what was pasted from a node (iptables-save [-c], nft list ruleset, ipvsadm -Ln, ipset
save/list, conntrack -L; shell prompts, grep prefixes and several dumps in one file are fine) and
explain it. Lines it cannot read are listed with their line number on stderr. DUMP - reads stdin.
  trace      run a packet through the node's own rules: every table of --hook in kernel order
             (default PREROUTING), or --chain of --table (default nat); every load-balancing branch.
             What the paste does not show (an ipset, a chain, whether an address is local: give
             --local) ends the walk with verdict UNRESOLVED and the reason. On an ipvsadm dump:
             the virtual server's real servers.
  conntrack  each entry's DNAT/SNAT from its reply tuple, its Service, and whether its endpoint is
             stale (not in MANIFEST..., or else not in the paste's own kube-proxy rules), with the
             conntrack -D command that deletes it
  ipvs       the virtual servers and their real servers
  diff       the node's kube-proxy rules against what kube-proxy would write for MANIFEST...: per
             Service missing, extra and different rules, and the profile the dump implies;
             exit 1 when there are differences`,
  options: [
    { name: 'family', value: 'ip|ip6', help: 'trace: the address family (default: that of --dst)' },
    { name: 'table', value: 'TABLE', help: 'trace: the table of --chain (default nat)' },
    { name: 'hook', value: 'HOOK', help: 'trace: PREROUTING, INPUT, FORWARD, OUTPUT or POSTROUTING' },
    { name: 'chain', value: 'CHAIN', help: 'trace: start at this chain of --table' },
    { name: 'src', value: 'IP', help: 'trace: source address' },
    { name: 'dst', value: 'IP', help: 'trace: destination address' },
    { name: 'proto', value: 'tcp|udp|sctp|icmp', help: 'trace: protocol (default tcp)' },
    { name: 'sport', value: 'N', help: 'trace: source port' },
    { name: 'dport', value: 'N', help: 'trace: destination port' },
    { name: 'in-iface', value: 'IF', help: 'trace: the interface the packet came in on' },
    { name: 'out-iface', value: 'IF', help: 'trace: the interface the packet goes out on' },
    { name: 'mark', value: '0xN', help: 'trace: the packet mark on entry (default 0)' },
    { name: 'ctstate', value: 'STATE', help: 'trace: conntrack state, e.g. NEW (default) or ESTABLISHED,DNAT' },
    { name: 'ctstatus', value: 'STATUS', help: 'trace: conntrack status, e.g. ASSURED,SEEN_REPLY' },
    { name: 'local', value: 'IP', repeated: true, help: 'trace: an address of the node (LOCAL for addrtype); repeatable' },
    { name: 'physdev-in', help: 'trace: the packet came in through a bridge port' },
    { name: 'recent', value: 'LIST=IP', repeated: true, help: 'trace: IP is in the recent list LIST; repeatable' },
    CLUSTER,
    { name: 'node', value: 'NAME', help: "diff: the node of the profile the dump is from (default: the profile's nodeName)" },
    { name: 'json', help: 'the result as JSON' },
  ],
  run(args, io) {
    const [sub, ...files] = args.positional;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw new UsageError(`node: unknown subcommand "${sub ?? ''}" (trace, conntrack, ipvs, diff)`);
    return run(args, files, io);
  },
};
