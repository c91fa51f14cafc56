// `natlens node trace`: picks what to run from a node dump (iptables rules of the asked family, or
// ipvsadm's virtual servers), runs the interpreter and shapes the result as the JSON
// contract. The text form is rendered from the same report.
import { commentOf } from '../proxy/iptables/ruleParser';
import type { NodeDump } from './dump';
import type { IptablesDump } from './iptablesDump';
import { NodeInterpreter, type Branch, type NodePacket, type Start } from './interpreter';
import { chainOwner, ruleOwner, serviceOfComment } from './owners';
import { common, round, type BranchReport, type NodeTraceReport, type TraceFields, type TraceStep } from './report';
import { traceNft } from './nftTrace';
import { WalkError } from '../walk/netfilter';

export class NodeTraceError extends Error {}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

export function traceNode(dump: NodeDump, packet: NodePacket, start: Start): NodeTraceReport {
  const rules = dump.iptables.filter(d => d.family === packet.family);
  if (rules.length === 0) {
    if (dump.ipvs.length > 0) return traceIpvs(dump, packet);
    if (dump.nft.length > 0) {
      try {
        return traceNft(dump, packet, start, common);
      } catch (e) {
        if (e instanceof WalkError) throw new NodeTraceError(e.message);
        throw e;
      }
    }
    const has = dump.iptables.length ? `iptables rules for ${dump.iptables.map(d => d.family).join(', ')} only` : 'no rules';
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
