// `natlens node trace` on an `nft list ruleset` paste: every ip (or ip6) table of the paste —
// kube-proxy's own, iptables-nft's tables in nft syntax, a CNI's own — is rebuilt as the object
// model the generated-rules walk reads (NftTable) and executed by that same walk (walk/nftables.ts
// NftRules), so the nftables semantics exist once. At a hook the base chains of all tables run by
// priority (the kernel's order: nf_hook_entries sorted by priority); a drop ends the packet, an
// accept only that base chain. A rule outside the walk's vocabulary (`xt match "set"`, ...) stops
// the walk where a packet reaches it. inet, arp, bridge and netdev tables are not executed yet.
import type { NftBaseChain, NftElement, NftLine, NftSet, NftTable, NftablesRuleset } from '../proxy/nftables/generator';
import { NftRules, type ChainEnd } from '../walk/nftables';
import { WalkError, type ConnState, type NodeNetwork, type RuleHop } from '../walk/netfilter';
import { effectOf as findEffect } from '../walk/effects';
import { chainOwner, type Owner } from './owners';
import type { NodeDump } from './dump';
import type { Effect, NodePacket, NodeHook, Start } from './interpreter';
import type { NftDumpTable } from './nftDump';
import type { BranchReport, NodeTraceReport, TraceFields, TraceStep } from './report';

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;
const TERMINAL = new Set(['verdict', 'dnat', 'snat', 'masquerade', 'redirect', 'return', 'policy']);
const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);

/**
 * nft prints some expressions otherwise than kube-proxy writes them (nft(8) lists bitwise operations
 * as symbols and `mark` as `meta mark`): `meta mark set meta mark | 0x4000` is kube-proxy's
 * `mark set mark or 0x4000`. The walk reads kube-proxy's forms.
 */
function asWritten(rule: string): string {
  return rule
    .replace(/\bmeta mark set meta mark ([|^&]) /g, (_, op: string) => `mark set mark ${op === '|' ? 'or' : op === '^' ? 'xor' : 'and'} `)
    .replace(/\bmeta mark & /g, 'mark and ')
    .replace(/\bmeta mark\b/g, 'mark');
}

/** An element as listed (`10.96.0.10 . tcp . 53 : goto service-…`), without listed-only suffixes. */
function element(text: string, map: boolean): NftElement {
  const clean = text.replace(/\s+(timeout|expires|counter|comment)\b.*$/, '');
  const colon = map ? clean.indexOf(' : ') : -1;
  const key = (colon >= 0 ? clean.slice(0, colon) : clean).split(' . ').map(s => s.trim());
  return colon >= 0 ? { key, value: [clean.slice(colon + 3).trim()] } : { key };
}

/** The pasted table as the generator's object model, with each rule's line in the paste. */
export function nftRuleset(t: NftDumpTable): { ruleset: NftablesRuleset; pasted: { line: number; text: string }[] } {
  if (t.family !== 'ip' && t.family !== 'ip6') throw new WalkError(`table ${t.family} ${t.name}: only ip and ip6 tables are executed`);
  const lines: NftLine[] = [];
  const pasted: { line: number; text: string }[] = [];
  const chains = new Map([...t.chains.values()].map(c => {
    let base: NftBaseChain | undefined;
    if (c.base) {
      if ((c.base.type !== 'nat' && c.base.type !== 'filter') || !HOOKS.has(c.base.hook) || c.base.priority === null) throw new WalkError(`chain ${c.name}: ${c.base.type} hook ${c.base.hook} priority ${c.base.priorityText} is not executed`);
      if (c.base.policy !== 'accept' && c.base.policy !== 'drop') throw new WalkError(`chain ${c.name}: policy ${c.base.policy} is not executed`);
      base = { type: c.base.type, hook: c.base.hook as NftBaseChain['hook'], priority: c.base.priority };
    }
    const rules = c.rules.map(r => {
      lines.push({ text: `add rule ${t.family} ${t.name} ${c.name} ${asWritten(r.text)}${r.comment !== null ? ` comment "${r.comment}"` : ''}`, kind: 'rule', object: c.name });
      pasted.push({ line: r.line, text: r.text });
      return { chain: c.name, rule: asWritten(r.text), comment: r.comment ?? undefined };
    });
    return [c.name, { name: c.name, base, rules }] as const;
  }));
  const containers = (kind: 'set' | 'map') => new Map([...t.sets.values()].filter(s => s.kind === kind).map(s => [s.name, {
    kind, name: s.name, type: s.type, flags: s.flags, comment: s.comment ?? undefined, elements: s.elements.map(e => element(e, kind === 'map')),
  } satisfies NftSet] as const));
  const table: NftTable = { family: t.family, name: t.name, comment: t.comment ?? '', chains, sets: containers('set'), maps: containers('map') };
  const allRules = [...t.chains.values()].flatMap(c => c.rules.map(r => ({ chain: c.name, text: r.text })));
  const masqueradeMark = /0x[0-9a-f]+/i.exec(allRules.find(r => r.chain === 'mark-for-masquerade')?.text ?? '')?.[0] ?? '';
  const nodePortsMatchAll = allRules.some(r => /^fib daddr type local .*@service-nodeports/.test(r.text));
  return { ruleset: { nodeName: 'node', family: t.family, table, ruleset: '', lines, script: '', masqueradeMark, nodePortsMatchAll }, pasted };
}

/** "ns/name:port" from kube-proxy's nftables chain names (service-HASH-ns/name/proto/port, endpoint-…). */
export function serviceOfChain(chain: string): string | null {
  const m = /^(?:service|external|local|firewall|endpoint)-[A-Z0-9]+-([^/]+)\/([^/]+)\/[^/]+\/([^_]*)/.exec(chain);
  return m ? `${m[1]}/${m[2]}:${m[3]}` : null;
}

/** A pasted table ready to run, with each rule's line in the paste and each base chain's policy. */
interface RunnableTable {
  readonly dump: NftDumpTable;
  readonly rules: NftRules;
  readonly pasted: readonly { line: number; text: string }[];
}

export function traceNft(dump: NodeDump, packet: NodePacket, start: Start, common: (b: readonly BranchReport[]) => TraceFields): NodeTraceReport {
  const mine = dump.nft.filter(t => t.family === packet.family);
  const others = dump.nft.filter(t => t.family !== packet.family && (t.family !== 'ip' && t.family !== 'ip6')).map(t => `${t.family} ${t.name}`);
  const notes = others.length ? [`not executed (only ip and ip6 tables are): ${others.join(', ')}`] : [];
  if (mine.length === 0) throw new WalkError(`the paste has no ${packet.family} table to execute${others.length ? ` (${others.join(', ')} are not executed yet)` : ''}`);
  if (!('hook' in start)) throw new WalkError('on an nft dump, start at a hook (--hook): --chain is for iptables dumps');
  if (packet.proto !== 'tcp' && packet.proto !== 'udp' && packet.proto !== 'sctp') throw new WalkError(`--proto ${packet.proto}: the nftables walk reads tcp, udp and sctp`);
  if (!packet.ctstate.includes('NEW')) throw new WalkError(`--ctstate ${packet.ctstate.join(',')}: the nftables walk follows a connection's first packet (NEW)`);
  const network: NodeNetwork = {
    name: 'node',
    isLocal: ip => {
      if (/^127\./.test(ip) || ip === '::1') return true;
      if (packet.local === null) throw new WalkError(`fib type local: whether ${ip} is one of the node's addresses is not known (give --local)`);
      return packet.local.includes(ip);
    },
    // the interface's address is not in the paste: the report says "masquerade", not to which address
    masqueradeSource: () => ({ address: '0.0.0.0' }),
  };
  let branches: BranchReport[];
  try {
    const tables: RunnableTable[] = mine.map(t => {
      const { ruleset, pasted } = nftRuleset(t);
      return { dump: t, rules: new NftRules(network, ruleset, true), pasted };
    });
    const hook = start.hook as NodeHook;
    // every table's base chains at the hook, by priority; equal priorities keep the paste's order
    const order = tables.flatMap(t => t.rules.baseChainsAt(hook).map(b => ({ t, name: b.name, base: b.base }))).sort((x, y) => x.base.priority - y.base.priority);
    const initial: ConnState = {
      packet: { proto: packet.proto, src: packet.src, dst: packet.dst, sport: packet.sport ?? 0, dport: packet.dport ?? 0 },
      mark: packet.mark, dnat: packet.ctstate.includes('DNAT'), masqueradedTo: null, probability: 1, hops: [],
      inInterface: packet.inIface, outInterface: packet.outIface,
    };
    let pending: { state: ConnState; verdict: 'ACCEPT' | 'DROP' | 'REJECT' }[] = [{ state: initial, verdict: 'ACCEPT' }];
    for (const { t, name } of order) {
      const policy = t.dump.chains.get(name)!.base!.policy === 'drop' ? 'DROP' : 'ACCEPT';
      pending = pending.flatMap(o => (o.verdict !== 'ACCEPT' ? [o] : t.rules.runBaseChain(hook, name, o.state).map((e: ChainEnd) => ({
        state: e.kind === 'return' ? withPolicy(e.state, hook, t.dump.name, name, policy) : e.state,
        verdict: e.kind === 'drop' ? 'DROP' as const : e.kind === 'reject' ? 'REJECT' as const : e.kind === 'return' ? policy : 'ACCEPT' as const,
      }))));
    }
    const pastedOf = new Map(tables.map(t => [t.dump.name, t.pasted]));
    branches = pending.map(o => branchOf(o.state, o.verdict, pastedOf));
  } catch (e) {
    if (!(e instanceof WalkError)) throw e;
    branches = [unresolved(packet, e.message)];
  }
  return { entered: start.hook, ...common(branches), branches, notes };
}

/** The policy of a base chain the packet fell off, as a hop without a rule (line null). */
function withPolicy(state: ConnState, hook: NodeHook, table: string, chain: string, policy: 'ACCEPT' | 'DROP'): ConnState {
  return { ...state, hops: [...state.hops, { node: 'node', hook, table: table as RuleHop['table'], chain, line: null, rule: `policy ${policy.toLowerCase()}`, effects: [{ kind: 'verdict', verdict: policy }], action: policy, before: state.packet, after: state.packet, mark: state.mark }] };
}

function unresolved(packet: NodePacket, reason: string): BranchReport {
  return {
    probability: 1, verdict: 'UNRESOLVED', jumps: [], unresolvedChain: null, unresolvedReason: reason, firstMatchingRule: null, terminalRule: null,
    dnatTo: null, snatTo: null, masquerade: false, randomFully: false, markAfter: hex(packet.mark), service: null, endpoints: [], path: [],
  };
}

/** kube-proxy's nftables table is kube-proxy's; in other tables the chain names tell (iptables-nft keeps iptables' names). */
function ownerOf(table: string, chain: string): Owner {
  return table === 'kube-proxy' ? 'kube-proxy' : chainOwner(chain);
}

/** A hop's typed effects as the node report's effect. */
function effectOf(h: RuleHop): Effect {
  const snat = findEffect(h.effects, 'snat');
  if (snat) return snat.how === 'SNAT' ? { kind: 'snat', to: snat.to } : { kind: 'masquerade', randomFully: h.after.sport === 0 };
  const dnat = findEffect(h.effects, 'dnat');
  if (dnat) return { kind: 'dnat', to: dnat.to };
  const jump = findEffect(h.effects, 'jump');
  if (jump) return { kind: jump.goto ? 'goto' : 'jump', chain: jump.chain };
  const verdict = findEffect(h.effects, 'verdict');
  if (verdict) return h.line === null ? { kind: 'policy', verdict: verdict.verdict } : { kind: 'verdict', verdict: verdict.verdict };
  if (findEffect(h.effects, 'return')) return { kind: 'return' };
  if (findEffect(h.effects, 'mark')) return { kind: 'mark', mark: h.mark };
  return { kind: 'match' };
}

function branchOf(s: ConnState, verdict: 'ACCEPT' | 'DROP' | 'REJECT', pastedOf: ReadonlyMap<string, readonly { line: number; text: string }[]>): BranchReport {
  const path: TraceStep[] = s.hops.map(h => {
    // a rule hop's text is `add rule FAMILY TABLE CHAIN …`; a policy hop carries the table's name
    const table = h.line === null ? h.table : h.rule.split(' ')[3]!;
    const at = h.line === null ? null : pastedOf.get(table)?.[h.line] ?? null;
    return { table, chain: h.chain, line: at ? at.line + 1 : null, rule: at ? at.text : null, effect: effectOf(h), owner: ownerOf(table, h.chain) };
  });
  const last = path[path.length - 1];
  const jumps = path.flatMap(p => (p.effect.kind === 'jump' || p.effect.kind === 'goto' ? [p.effect.chain] : []));
  const dnat = path.find(p => p.effect.kind === 'dnat');
  const dnatTo = dnat && dnat.effect.kind === 'dnat' ? dnat.effect.to : null;
  const masq = path.find(p => p.effect.kind === 'masquerade');
  const snat = path.find(p => p.effect.kind === 'snat');
  return {
    probability: s.probability, verdict, jumps, unresolvedChain: null, unresolvedReason: null,
    firstMatchingRule: path[0]?.rule ?? null, terminalRule: last && TERMINAL.has(last.effect.kind) ? last.rule : null,
    dnatTo, snatTo: snat?.effect.kind === 'snat' ? snat.effect.to : null, masquerade: s.masqueradedTo !== null, randomFully: masq?.effect.kind === 'masquerade' && masq.effect.randomFully,
    markAfter: hex(s.mark), service: jumps.map(serviceOfChain).find(x => x !== null) ?? null,
    endpoints: dnatTo ? [{ endpoint: dnatTo, probability: s.probability, chain: dnat!.chain }] : [], path,
  };
}
