// `natlens node trace`: picks what to run from a node dump (iptables rules of the asked family, or
// ipvsadm's virtual servers), runs the interpreter and shapes the result as the JSON
// contract. The text form is rendered from the same report.
import { commentOf } from '../proxy/iptables/ruleParser';
import type { NodeDump } from './dump';
import type { IptablesDump } from './iptablesDump';
import { NodeInterpreter, type Branch, type NodePacket, type PathStep, type Start, type Verdict } from './interpreter';
import { chainOwner, ruleOwner, serviceOfComment, type Owner } from './owners';

export interface TraceEndpoint {
  readonly endpoint: string;
  readonly probability: number;
  readonly chain: string | null;
}

export interface TraceStep {
  readonly table: string;
  readonly chain: string;
  /** 1-based line in the paste; null for a policy. */
  readonly line: number | null;
  readonly rule: string | null;
  readonly effect: PathStep['effect'];
  readonly owner: Owner;
}

/** The fields every branch has, and the top level (common to all branches). */
export interface TraceFields {
  readonly verdict: Verdict;
  readonly jumps: readonly string[];
  readonly unresolvedChain: string | null;
  /** Why the walk stopped, for UNRESOLVED. */
  readonly unresolvedReason: string | null;
  readonly firstMatchingRule: string | null;
  readonly terminalRule: string | null;
  readonly dnatTo: string | null;
  readonly snatTo: string | null;
  readonly masquerade: boolean;
  readonly randomFully: boolean;
  readonly markAfter: string;
  readonly service: string | null;
  readonly endpoints: readonly TraceEndpoint[];
}

export interface BranchReport extends TraceFields {
  readonly probability: number;
  readonly path: readonly TraceStep[];
}

export interface NodeTraceReport extends TraceFields {
  readonly entered: string;
  readonly branches: readonly BranchReport[];
  readonly notes: readonly string[];
}

export class NodeTraceError extends Error {}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export function traceNode(dump: NodeDump, packet: NodePacket, start: Start): NodeTraceReport {
  const rules = dump.iptables.filter(d => d.family === packet.family);
  if (rules.length === 0) {
    if (dump.ipvs.length > 0) return traceIpvs(dump, packet);
    const has = dump.iptables.length ? `iptables rules for ${dump.iptables.map(d => d.family).join(', ')} only` : dump.nft.length ? 'only nft tables (not traced yet by node trace)' : 'no rules';
    throw new NodeTraceError(`the dump has ${has}: nothing to trace for family ${packet.family}`);
  }
  const notes: string[] = [];
  if (rules.length > 1) notes.push(`the paste holds ${rules.length} iptables dumps for ${packet.family}; the first (from line ${rules[0]!.firstLine + 1}) is traced`);
  const result = new NodeInterpreter(asTable(rules[0]!, start, notes), dump.ipsets).run(packet, start);
  const branches = result.branches.map(branchReport);
  return { entered: result.entered, ...common(branches), branches, notes: [...notes, ...result.notes] };
}

/**
 * Rules pasted without a `*table` line or a prompt's `-t` (grep output) sit in iptables' default
 * table, filter; `--table` says which table they came from.
 */
function asTable(dump: IptablesDump, start: Start, notes: string[]): IptablesDump {
  const only = [...dump.tables.values()];
  if ('hook' in start || only.length !== 1 || only[0]!.tableFrom !== 'default' || only[0]!.name === start.table) return dump;
  notes.push(`the paste has no *table line: its rules are read as the ${start.table} table (--table)`);
  return { ...dump, tables: new Map([[start.table, { ...only[0]!, name: start.table }]]) };
}

function branchReport(b: Branch): BranchReport {
  const path: TraceStep[] = b.path.map(s => ({
    table: s.table, chain: s.chain, line: s.rule ? s.rule.parsed.line + 1 : null, rule: s.rule?.parsed.text ?? null, effect: s.effect,
    owner: s.rule ? ruleOwner(s.chain, s.rule.parsed.target, commentOf(s.rule.parsed)) : chainOwner(s.chain),
  }));
  const last = b.path[b.path.length - 1];
  const ending = b.unresolved ? b.unresolved.rule : last && ['verdict', 'dnat', 'snat', 'masquerade', 'redirect', 'return'].includes(last.effect.kind) ? last.rule : null;
  const dnatStep = b.path.find(s => s.effect.kind === 'dnat');
  const service = b.path.map(s => (s.rule ? serviceOfComment(commentOf(s.rule.parsed)) : null)).find(x => x !== null) ?? null;
  return {
    probability: b.probability,
    verdict: b.verdict,
    jumps: b.jumps,
    unresolvedChain: b.unresolved?.chain ?? null,
    unresolvedReason: b.unresolved?.reason ?? null,
    firstMatchingRule: b.path.find(s => s.rule)?.rule?.parsed.text ?? null,
    terminalRule: ending?.parsed.text ?? null,
    dnatTo: b.dnatTo, snatTo: b.snatTo, masquerade: b.masquerade, randomFully: b.randomFully,
    markAfter: hex(b.mark),
    service,
    endpoints: b.dnatTo ? [{ endpoint: b.dnatTo, probability: b.probability, chain: dnatStep?.chain ?? null }] : [],
    path,
  };
}

/** The top level: what all branches share; endpoints from every branch, probabilities summed. */
function common(branches: readonly BranchReport[]): TraceFields {
  const same = <T>(f: (b: BranchReport) => T, otherwise: T): T => {
    const first = f(branches[0]!);
    return branches.every(b => JSON.stringify(f(b)) === JSON.stringify(first)) ? first : otherwise;
  };
  const jumps: string[] = [];
  for (let i = 0; branches.every(b => b.jumps[i] !== undefined && b.jumps[i] === branches[0]!.jumps[i]); i++) jumps.push(branches[0]!.jumps[i]!);
  const endpoints = new Map<string, TraceEndpoint>();
  for (const b of branches) for (const e of b.endpoints) {
    const key = `${e.endpoint}\u0000${e.chain}`;
    const prev = endpoints.get(key);
    endpoints.set(key, { ...e, probability: (prev?.probability ?? 0) + e.probability });
  }
  const verdict = same(b => b.verdict, 'UNRESOLVED' as Verdict);
  return {
    verdict,
    jumps,
    unresolvedChain: same(b => b.unresolvedChain, null),
    unresolvedReason: same(b => b.unresolvedReason, verdict === 'UNRESOLVED' ? 'the load-balancing branches end differently (see branches)' : null),
    firstMatchingRule: same(b => b.firstMatchingRule, null),
    terminalRule: same(b => b.terminalRule, null),
    dnatTo: same(b => b.dnatTo, null),
    snatTo: same(b => b.snatTo, null),
    masquerade: branches.every(b => b.masquerade),
    randomFully: branches.every(b => b.randomFully),
    markAfter: same(b => b.markAfter, branches[0]!.markAfter),
    service: same(b => b.service, null) ?? branches.find(b => b.service)?.service ?? null,
    endpoints: [...endpoints.values()].map(e => ({ ...e, probability: round(e.probability) })),
  };
}

function round(p: number): number {
  return Math.round(p * 1e9) / 1e9;
}

/** IPVS: the virtual server for the packet's destination; its real servers, by weight, are the endpoints. */
function traceIpvs(dump: NodeDump, packet: NodePacket): NodeTraceReport {
  const proto = packet.proto.toUpperCase();
  const vs = dump.ipvs.find(v => v.proto === proto && v.vip === packet.dst && v.port === packet.dport);
  const base: TraceFields = {
    verdict: 'ACCEPT', jumps: [], unresolvedChain: null, unresolvedReason: null, firstMatchingRule: null, terminalRule: null,
    dnatTo: null, snatTo: null, masquerade: false, randomFully: false, markAfter: hex(packet.mark), service: null, endpoints: [],
  };
  if (!vs) return { entered: 'IPVS', ...base, branches: [], notes: [`no virtual server ${proto} ${packet.dst}:${packet.dport} in the paste: IPVS leaves the packet alone`] };
  const servers = vs.realServers.filter(r => r.weight > 0);
  const total = servers.reduce((s, r) => s + r.weight, 0);
  const line = `${vs.proto}  ${vs.vip}:${vs.port} ${vs.scheduler}`;
  if (servers.length === 0) {
    return { entered: 'IPVS', ...base, verdict: 'REJECT', terminalRule: line, firstMatchingRule: line, branches: [], notes: ['a virtual server without real servers (of weight > 0) answers ICMP port unreachable (ip_vs_leave)'] };
  }
  const branches: BranchReport[] = servers.map(r => ({
    ...base, probability: r.weight / total, dnatTo: r.addr, firstMatchingRule: line, terminalRule: line,
    endpoints: [{ endpoint: r.addr, probability: round(r.weight / total), chain: null }], path: [],
  }));
  const notes = [`scheduler ${vs.scheduler}: each real server taken with its share of the weight for a first connection`];
  return { entered: 'IPVS', ...common(branches), branches, notes };
}
