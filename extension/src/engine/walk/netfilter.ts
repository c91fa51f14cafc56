// A model of one node's netfilter that executes the generated iptables text: the built-in chains
// with kube-proxy's jumps, then the payload's chains. Every branch of a `statistic` match is
// followed with its probability, so the caller sees all endpoints a connection can reach.
import { cidrContains, parseCIDR, parseIP, type CIDR, type IP } from '../util/ip';
import type { IptablesRuleset, Table } from '../proxy/iptables/generator';
import type { ClusterModel } from '../model/cluster';
import type { NodeProfile } from '../model/profile';
import { parseRestore, parseRule, type ParsedRule, type RuleMatch } from '../proxy/iptables/ruleParser';
import { runChainRules, type RuleOutcome } from './chainLoop';
import { describeEffects, masqueradeEffect, type HopEffect } from './effects';
import type { MasqueradeSource } from './network';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface Packet {
  readonly proto: 'tcp' | 'udp' | 'sctp';
  readonly src: string;
  readonly sport: number;
  readonly dst: string;
  readonly dport: number;
}

export function formatPacket(p: Packet): string {
  const host = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);
  return `${p.proto} ${host(p.src)}:${p.sport || '*'} -> ${host(p.dst)}:${p.dport || '*'}`;
}

/** One rule that matched and acted on the packet. */
export interface RuleHop {
  readonly node: string;
  readonly hook: Hook;
  readonly table: Table;
  readonly chain: string;
  /** 0-based line of the rule in the node's generated payload; null for the built-in jumps. */
  readonly line: number | null;
  readonly rule: string;
  /** What the hop did, as data. */
  readonly effects: readonly HopEffect[];
  /** The effects in words (rendered by makeHop, never read back). */
  readonly action: string;
  readonly before: Packet;
  readonly after: Packet;
  readonly mark: number;
}

/** A hop with its text rendered from its effects: the one way hops are made. */
export function makeHop(hop: Omit<RuleHop, 'action'>): RuleHop {
  return { ...hop, action: describeEffects(hop.effects) };
}

export interface ConnState {
  readonly packet: Packet;
  readonly mark: number;
  /** conntrack has DNAT for this connection (the ctstate "DNAT" match). */
  readonly dnat: boolean;
  readonly masqueradedTo: string | null;
  readonly probability: number;
  readonly hops: readonly RuleHop[];
  /**
   * conntrack already holds this connection's NAT bindings (a node's packet to its own address comes
   * back in through loopback after POSTROUTING): nat tables are not consulted again.
   */
  readonly natBound?: boolean;
  /**
   * The interfaces the packet came in and goes out by, what `-i`/`iifname` and `oifname` match: the walk
   * of generated rules knows the incoming one ('' for the node's own packets in OUTPUT); a node dump's
   * trace has what the user gave, null where nothing was given (a rule matching it stops the walk).
   */
  readonly inInterface?: string | null;
  readonly outInterface?: string | null;
  /**
   * Session-affinity entries on the nodes (iptables `recent` lists, nftables affinity sets): what an
   * earlier connection of the same client recorded there, and what this one records. See affinityEntry.
   */
  readonly affinity?: ReadonlyMap<string, RememberedClient>;
  /** A facts walk: load-balancing branches to equivalent endpoints are walked once (see joinBranch). */
  readonly grouping?: EndpointGrouping;
  /** This state stands for the branches of its group (set at the branch, kept to the leaves). */
  readonly group?: BranchGroup;
}

/** The walk's side of grouping: what tells endpoint addresses apart after the DNAT, and the branch counter. */
export interface EndpointGrouping {
  /**
   * A key that is equal for two endpoint addresses the rest of the walk cannot tell apart, from `state`
   * on `node` on (routes, local addresses, masquerade sources, every destination match of the rules
   * on the way); null: this endpoint is walked alone.
   */
  classify(ip: string, state: ConnState, node: string): string | null;
  /** Branches seen so far: each member's place in the order the ungrouped walk reaches them. */
  branches: number;
}

/** One branch a group stands for. */
export interface BranchMember {
  readonly ip: string;
  readonly probability: number;
  readonly order: number;
}

/** Branches to equivalent endpoints: the first is walked (to `ip`), the others join it here. */
export interface BranchGroup {
  readonly ip: string;
  readonly members: BranchMember[];
}

/**
 * A load-balancing branch of `state` to the endpoint chain (or IPVS real server) of `ip`, whose rules
 * read `shape` with the chain's name and `ip` masked. Returns the state to walk on, or null when an
 * earlier branch of the same class walks for this one (it joins that branch's group).
 *
 * Why this is exact: branches of one chain run start from states that differ only in probability and
 * hops (the key holds the rest of the state). Two endpoint chains of the same shape differ only in
 * the endpoint address; a rule that names it either compares it with the packet's addresses (the
 * hairpin `-s EP/32 -j KUBE-MARK-MASQ`, `ip saddr EP`), which are not the endpoint's (checked here),
 * or writes the DNAT: both take the same rules to a DNAT that differs only in the address. After it,
 * the walk reads the address only through what `classify` compares (and the source never becomes an
 * endpoint address: classify refuses an endpoint local to a node on the way or picked by MASQUERADE),
 * so every later rule, route and verdict is the same. The group's leaves are the members' leaves
 * with the member's address and probability (test/unit/walk-grouping.test.ts walks both ways).
 */
export function joinBranch(groups: Map<string, BranchGroup>, shape: string | null, ip: string, state: ConnState, node: string): ConnState | null {
  const grouping = state.grouping;
  if (!grouping || state.group) return state;
  const member: BranchMember = { ip, probability: state.probability, order: grouping.branches++ };
  const cls = shape !== null && ip !== state.packet.src && ip !== state.packet.dst ? grouping.classify(ip, state, node) : null;
  const key = cls === null ? null : `${shape}\u0000${stateKey(state)}\u0000${cls}`;
  const found = key === null ? undefined : groups.get(key);
  if (found) {
    found.members.push(member);
    return null;
  }
  const group: BranchGroup = { ip, members: [member] };
  if (key !== null) groups.set(key, group);
  // the walked branch counts from 1: each member's leaves carry its own probability times the rest
  return { ...state, probability: 1, group };
}

/** Everything of a state the rules can read, apart from probability and hops. */
function stateKey(s: ConnState): string {
  const p = s.packet;
  const affinity = s.affinity?.size ? [...s.affinity.keys()].join('\u0001') : '';
  return `${p.proto} ${p.src} ${p.sport} ${p.dst} ${p.dport} ${s.mark} ${s.dnat} ${s.masqueradedTo} ${s.natBound} ${s.inInterface} ${s.outInterface} ${affinity}`;
}

/** `text` with the chain's own name and the endpoint address masked: equal for endpoint chains of one shape. */
export function endpointShape(texts: readonly string[], chain: string, ip: string): string {
  return texts.map(t => maskAddress(t.split(chain).join('\u0001C'), ip)).join('\n');
}

/** Every occurrence of `ip` as a whole address (not inside a longer one; an IPv4 one may carry a ":port"). */
function maskAddress(text: string, ip: string): string {
  const inAddress = (c: string | undefined, v6: boolean) => c !== undefined && (/[0-9A-Za-z.]/.test(c) || (v6 && c === ':'));
  const v6 = ip.includes(':');
  let out = '';
  let from = 0;
  for (let at = text.indexOf(ip); at >= 0; at = text.indexOf(ip, at + ip.length)) {
    if (inAddress(text[at - 1], true) || inAddress(text[at + ip.length], v6)) continue;
    out += `${text.slice(from, at)}\u0001E`;
    from = at + ip.length;
  }
  return out + text.slice(from);
}

/** A client address in a node's session-affinity list (iptables `recent --name`) or set (nftables `@affinity-…`). */
export interface RememberedClient {
  readonly node: string;
  readonly list: string;
  readonly address: string;
}

/** The key of a remembered client in ConnState.affinity (each node keeps its own lists). */
export function affinityEntry(node: string, list: string, address: string): string {
  return `${node}\u0000${list}\u0000${address}`;
}

/** The state with `address` recorded in `node`'s affinity list `list`. */
export function remember(state: ConnState, node: string, list: string, address: string): ConnState {
  return { ...state, affinity: new Map([...(state.affinity ?? []), [affinityEntry(node, list, address), { node, list, address }]]) };
}

export type TableVerdict = 'ACCEPT' | 'DROP' | 'REJECT';

export interface TableOutcome {
  readonly state: ConnState;
  readonly verdict: TableVerdict;
}

export interface NodeNetwork {
  readonly name: string;
  /** addrtype LOCAL: the node's own addresses (and loopback). */
  isLocal(ip: string): boolean;
  /** The address MASQUERADE picks: the primary address of the interface towards `dst`. */
  masqueradeSource(dst: string): MasqueradeSource;
}

export class WalkError extends Error {}

/** One node's packet filter, whatever the back end: runs every table or base chain of a hook, in kernel order. */
export interface NodeProgram {
  runHook(hook: Hook, state: ConnState): TableOutcome[];
  /** A key equal for two destination addresses no rule of the program tells apart (without it, endpoints are not grouped). */
  destinationClass?(ip: string): string;
}

/** Builds a node's packet filter for one back end from the model. */
export type ProgramFactory = (model: ClusterModel, node: NodeProfile, network: NodeNetwork) => NodeProgram;

/** iptables tables each hook runs, in the kernel's order (raw and mangle hold nothing of kube-proxy's). */
const IPTABLES_HOOK_TABLES: Record<Hook, readonly Table[]> = {
  PREROUTING: ['nat'], INPUT: ['filter'], FORWARD: ['filter'], OUTPUT: ['nat', 'filter'], POSTROUTING: ['nat'],
};

interface CompiledRule {
  readonly parsed: ParsedRule;
  readonly src?: { negated: boolean; cidr: CIDR };
  readonly dst?: { negated: boolean; cidr: CIDR };
}

const BUILTIN_CHAINS: Record<Table, readonly string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

function compileAddress(a: { negated: boolean; value: string } | undefined): { negated: boolean; cidr: CIDR } | undefined {
  if (!a) return undefined;
  const ip = parseIP(a.value);
  const cidr = ip ? { ip, prefix: ip.family === 'IPv4' ? 32 : 128 } : parseCIDR(a.value);
  if (!cidr) throw new WalkError(`cannot read address "${a.value}"`);
  return { negated: a.negated, cidr };
}

/** The rules of one node, parsed once and ready to run many packets through. */
/**
 * A chain's rules plus an index by exact destination: kube-proxy's KUBE-SERVICES holds one rule per
 * Service address, so a packet only needs the rules for its destination and those without one.
 */
class Chain {
  readonly rules: CompiledRule[] = [];
  private index: { anyDst: number[]; byDst: Map<string, number[]> } | null = null;
  private readonly candidates = new Map<string, number[]>();

  add(rule: CompiledRule): void {
    this.rules.push(rule);
    this.index = null;
    this.candidates.clear();
  }

  /** Indices of the rules that can match a packet to `dst`, in rule order. */
  candidatesFor(dst: string): number[] {
    let list = this.candidates.get(dst);
    if (list) return list;
    if (!this.index) {
      const anyDst: number[] = [];
      const byDst = new Map<string, number[]>();
      this.rules.forEach((r, i) => {
        const exact = r.dst && !r.dst.negated && r.dst.cidr.prefix === (r.dst.cidr.ip.family === 'IPv4' ? 32 : 128) ? r.parsed.destination!.value.split('/')[0]! : null;
        if (exact) (byDst.get(exact) ?? byDst.set(exact, []).get(exact)!).push(i);
        else anyDst.push(i);
      });
      this.index = { anyDst, byDst };
    }
    const exact = this.index.byDst.get(dst) ?? [];
    list = mergeSorted(this.index.anyDst, exact);
    if (this.candidates.size > 1000) this.candidates.clear();
    this.candidates.set(dst, list);
    return list;
  }
}

function mergeSorted(a: number[], b: number[]): number[] {
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!);
  return out;
}

export class NodeRules implements NodeProgram {
  private readonly chains = new Map<string, Chain>();
  private readonly ipCache = new Map<string, IP | null>();
  private readonly endpointChains = new Map<string, { ip: string; shape: string } | null>();
  private destinations: { exact: Set<string>; cidrs: CIDR[] } | null = null;

  constructor(readonly node: NodeNetwork, readonly ruleset: IptablesRuleset) {
    for (const table of parseRestore(ruleset.payload)) {
      for (const c of table.chains) this.chainRules(table.name as Table, c.name);
      for (const r of table.rules) this.chainRules(table.name as Table, r.chain).add(this.compile(r));
    }
    // kube-proxy prepends each jump, so the built-in chains hold them in reverse order
    for (const j of [...ruleset.jumps].reverse()) {
      const text = `-A ${j.chain} ${j.args.map(a => (a.includes(' ') ? `"${a}"` : a)).join(' ')}`;
      this.chainRules(j.table, j.chain).add(this.compile({ ...parseRule(j.table, text, -1), line: -1 }));
    }
    for (const table of ['filter', 'nat'] as const) for (const c of BUILTIN_CHAINS[table]) this.chainRules(table, c);
    // kube-proxy creates every jump target (EnsureChain), even one its payload leaves empty
    for (const j of ruleset.jumps) this.chainRules(j.table, j.target);
  }

  /**
   * A KUBE-SEP-style chain: its rules end in its only DNAT, jump nowhere back and keep no affinity list;
   * its address and shape (see joinBranch). null for any other chain.
   */
  private endpointChain(table: Table, name: string): { ip: string; shape: string } | null {
    const key = `${table}/${name}`;
    let found = this.endpointChains.get(key);
    if (found === undefined) {
      const rules = this.chains.get(key)?.rules ?? [];
      const dnat = rules.at(-1)?.parsed;
      const to = dnat?.target === 'DNAT' ? /^\[?([^\]]+?)\]?:(\d+)$/.exec(dnat.targetOptions.find(o => o.name === 'to-destination')?.values[0] ?? '') : null;
      const plain = rules.slice(0, -1).every(r => r.parsed.target !== 'DNAT' && r.parsed.target !== name) && rules.every(r => !r.parsed.matches.some(m => m.module === 'recent'));
      found = to && plain ? { ip: to[1]!, shape: endpointShape(rules.map(r => r.parsed.text), name, to[1]!) } : null;
      this.endpointChains.set(key, found);
    }
    return found;
  }

  destinationClass(ip: string): string {
    if (!this.destinations) {
      const exact = new Set<string>();
      const cidrs = new Map<string, CIDR>();
      for (const c of this.chains.values()) for (const r of c.rules) {
        if (!r.dst) continue;
        const host = r.dst.cidr.prefix === (r.dst.cidr.ip.family === 'IPv4' ? 32 : 128);
        // a rule for packets from an address to itself (IPVS's KUBE-LOOP-BACK hairpin) needs the source to be it too
        if (host && r.src && r.parsed.source!.value.split('/')[0] === r.parsed.destination!.value.split('/')[0]) continue;
        if (host) exact.add(r.parsed.destination!.value.split('/')[0]!);
        else cidrs.set(r.parsed.destination!.value, r.dst.cidr);
      }
      this.destinations = { exact, cidrs: [...cidrs.values()] };
    }
    const addr = this.ip(ip);
    const { exact, cidrs } = this.destinations;
    return `${exact.has(ip) ? ip : ''}|${cidrs.map(c => (addr !== null && cidrContains(c, addr) ? 1 : 0)).join('')}`;
  }

  private chainRules(table: Table, chain: string): Chain {
    const key = `${table}/${chain}`;
    let c = this.chains.get(key);
    if (!c) this.chains.set(key, (c = new Chain()));
    return c;
  }

  private compile(parsed: ParsedRule): CompiledRule {
    return { parsed, src: compileAddress(parsed.source), dst: compileAddress(parsed.destination) };
  }

  private ip(text: string): IP | null {
    let ip = this.ipCache.get(text);
    if (ip === undefined) this.ipCache.set(text, (ip = parseIP(text)));
    return ip;
  }

  runHook(hook: Hook, state: ConnState): TableOutcome[] {
    let pending: TableOutcome[] = [{ state, verdict: 'ACCEPT' }];
    for (const table of IPTABLES_HOOK_TABLES[hook]) {
      if (table === 'nat' && state.natBound) continue;
      pending = pending.flatMap(o => (o.verdict === 'ACCEPT' ? this.runTable(hook, table, o.state) : [o]));
    }
    return pending;
  }

  /** Runs one table of one hook: the built-in chain and everything it jumps to. */
  runTable(hook: Hook, table: Table, state: ConnState): TableOutcome[] {
    if (!BUILTIN_CHAINS[table].includes(hook)) return [{ state, verdict: 'ACCEPT' }];
    return this.runChain(hook, table, hook, state, 0).map(o => ({
      state: o.state,
      verdict: o.kind === 'return' ? 'ACCEPT' : o.kind,
    }));
  }

  private runChain(hook: Hook, table: Table, chain: string, state: ConnState, depth: number): { state: ConnState; kind: 'return' | TableVerdict }[] {
    if (depth > 32) throw new WalkError(`chain nesting deeper than 32 at ${chain}`);
    const chainRules = this.chains.get(`${table}/${chain}`);
    if (!chainRules) throw new WalkError(`rule jumps to ${table} chain ${chain}, which does not exist`);
    type End = { state: ConnState; kind: 'return' | TableVerdict };
    const groups = new Map<string, BranchGroup>();
    return runChainRules<ConnState, End>(state, {
      rules: chainRules.rules.length,
      // within one chain the destination cannot change: DNAT ends the table's traversal
      candidates: s => chainRules.candidatesFor(s.packet.dst),
      onRule: (i, s) => {
        const rule = chainRules.rules[i]!;
        const p = this.matchProbability(rule, s);
        if (p === 0) return null;
        const out: RuleOutcome<ConnState, End>[] = [];
        let cur = s;
        if (p < 1) {
          // the branch where this rule does not match carries on with the next rule
          out.push({ next: { ...cur, probability: cur.probability * (1 - p) } });
          cur = { ...cur, probability: cur.probability * p };
        }
        const endpoint = cur.grouping && !cur.group && rule.parsed.target ? this.endpointChain(table, rule.parsed.target) : null;
        if (endpoint) {
          const walked = joinBranch(groups, endpoint.shape, endpoint.ip, cur, this.node.name);
          if (walked === null) return out;
          cur = walked;
        }
        const list = recentSetList(rule.parsed);
        if (list !== null) cur = remember(cur, this.node.name, list, cur.packet.src);
        for (const r of this.applyTarget(hook, table, rule, cur, depth)) {
          if (r.kind === 'return-to-caller') out.push({ end: { state: r.state, kind: 'return' } });
          else if (r.kind === 'continue') out.push({ next: r.state });
          else out.push({ end: { state: r.state, kind: r.kind } });
        }
        return out;
      },
      fallOff: s => ({ state: s, kind: 'return' }),
    });
  }

  private hop(hook: Hook, table: Table, rule: CompiledRule, before: ConnState, after: ConnState, effect: HopEffect): ConnState {
    const affinity = affinityEffects(rule.parsed, before);
    const hop = makeHop({
      node: this.node.name, hook, table, chain: rule.parsed.chain, line: rule.parsed.line >= 0 ? rule.parsed.line : null,
      rule: rule.parsed.text, effects: [...affinity, effect], before: before.packet, after: after.packet, mark: after.mark,
    });
    return { ...after, hops: [...before.hops, hop] };
  }

  private applyTarget(hook: Hook, table: Table, rule: CompiledRule, state: ConnState, depth: number): { state: ConnState; kind: 'continue' | 'return-to-caller' | TableVerdict }[] {
    const target = rule.parsed.target;
    const opt = (name: string) => rule.parsed.targetOptions.find(o => o.name === name)?.values[0];
    switch (target) {
      case undefined:
        return [{ state: this.hop(hook, table, rule, state, state, { kind: 'match' }), kind: 'continue' }];
      case 'RETURN':
        return [{ state: this.hop(hook, table, rule, state, state, { kind: 'return' }), kind: 'return-to-caller' }];
      case 'ACCEPT': case 'DROP': case 'REJECT':
        return [{ state: this.hop(hook, table, rule, state, state, { kind: 'verdict', verdict: target }), kind: target }];
      case 'MARK': {
        const mark = markAfter(state.mark, opt);
        if (mark === null) throw new WalkError(`MARK option not understood: ${rule.parsed.text}`);
        const after = { ...state, mark };
        return [{ state: this.hop(hook, table, rule, state, after, { kind: 'mark', result: mark }), kind: 'continue' }];
      }
      case 'DNAT': {
        const to = opt('to-destination') ?? '';
        const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(to);
        if (!m) throw new WalkError(`DNAT target not understood: ${to}`);
        const after = { ...state, packet: { ...state.packet, dst: m[1]!, dport: Number(m[2]) }, dnat: true };
        return [{ state: this.hop(hook, table, rule, state, after, { kind: 'dnat', to }), kind: 'ACCEPT' }];
      }
      case 'MASQUERADE': {
        const masq = this.node.masqueradeSource(state.packet.dst);
        const src = masq.address;
        // --random-fully: the kernel also picks a random source port (shown as port 0, "*")
        const sport = rule.parsed.targetOptions.some(o => o.name === 'random-fully') ? 0 : state.packet.sport;
        const after = { ...state, packet: { ...state.packet, src, sport }, masqueradedTo: src };
        return [{ state: this.hop(hook, table, rule, state, after, masqueradeEffect(masq)), kind: 'ACCEPT' }];
      }
      default: {
        if (!this.chains.has(`${table}/${target}`)) throw new WalkError(`target ${target} is not modelled (${rule.parsed.text})`);
        const entered = this.hop(hook, table, rule, state, state, { kind: 'jump', chain: target, goto: false });
        return this.runChain(hook, table, target, entered, depth + 1).map(r => ({
          state: r.state,
          kind: r.kind === 'return' ? 'continue' as const : r.kind,
        }));
      }
    }
  }

  /** Probability that the rule matches the packet: 0, 1, or a statistic's probability. */
  private matchProbability(rule: CompiledRule, state: ConnState): number {
    const p = state.packet;
    const r = rule.parsed;
    if (rule.src && !this.addressMatches(rule.src, p.src)) return 0;
    if (rule.dst && !this.addressMatches(rule.dst, p.dst)) return 0;
    if (r.outInterface) throw new WalkError(`interface matches are not modelled: ${r.text}`);
    if (r.inInterface && !interfaceNameMatches(r.inInterface.value, state.inInterface ?? '', r.inInterface.negated)) return 0;
    if (r.protocol && (r.protocol.value === p.proto) === r.protocol.negated) return 0;
    let probability = 1;
    for (const m of r.matches) {
      const result = this.moduleMatches(m, state);
      if (result === 0) return 0;
      probability *= result;
    }
    return probability;
  }

  private addressMatches(a: { negated: boolean; cidr: CIDR }, text: string): boolean {
    const ip = this.ip(text);
    return (ip !== null && cidrContains(a.cidr, ip)) !== a.negated;
  }

  private moduleMatches(m: RuleMatch, state: ConnState): number {
    const p = state.packet;
    let probability = 1;
    for (const o of m.options) {
      const v = o.values[0] ?? '';
      let ok: boolean;
      switch (`${m.module}/${o.name}`) {
        case 'comment/comment': case 'nfacct/nfacct-name': continue;
        case 'tcp/dport': case 'udp/dport': case 'sctp/dport': ok = m.module === p.proto && portMatches(v, p.dport); break;
        case 'tcp/sport': case 'udp/sport': case 'sctp/sport': ok = m.module === p.proto && portMatches(v, p.sport); break;
        case 'addrtype/dst-type': ok = v === 'LOCAL' ? this.node.isLocal(p.dst) : false; break;
        case 'addrtype/src-type': ok = v === 'LOCAL' ? this.node.isLocal(p.src) : false; break;
        case 'mark/mark': ok = markMatches(state.mark, v); break;
        case 'conntrack/ctstate':
          // the first packet of a connection: NEW, plus DNAT once a DNAT rule has rewritten it
          ok = v.split(',').some(s => s === 'NEW' || (s === 'DNAT' && state.dnat));
          break;
        case 'statistic/mode': if (v !== 'random') throw new WalkError(`statistic mode ${v} is not modelled`); continue;
        case 'statistic/probability': probability = Number(v); ok = true; break;
        // session affinity: a client is in the list only when an earlier connection of its put it there
        // (kube-proxy's lists use --rsource with a full mask; --seconds is taken as not yet expired)
        case 'recent/rcheck': case 'recent/update': {
          const list = m.options.find(x => x.name === 'name')?.values[0] ?? 'DEFAULT';
          ok = state.affinity?.has(affinityEntry(this.node.name, list, p.src)) ?? false;
          break;
        }
        case 'recent/set': case 'recent/name': case 'recent/seconds': case 'recent/reap': case 'recent/mask': case 'recent/rsource': continue;
        default: throw new WalkError(`match -m ${m.module} --${o.name} is not modelled`);
      }
      if (ok === o.negated) return 0;
    }
    return probability;
  }
}

/**
 * A matched rule's session-affinity effects: `--rcheck`/`--update` found the client in a list (the
 * match succeeded, so it is there), `--set` records it.
 */
function affinityEffects(rule: ParsedRule, state: ConnState): HopEffect[] {
  const out: HopEffect[] = [];
  for (const m of rule.matches) {
    if (m.module !== 'recent') continue;
    const list = m.options.find(o => o.name === 'name')?.values[0] ?? 'DEFAULT';
    if (m.options.some(o => (o.name === 'rcheck' || o.name === 'update') && !o.negated)) out.push({ kind: 'affinity-hit', list });
    if (m.options.some(o => o.name === 'set')) out.push({ kind: 'affinity-record', list, address: state.packet.src, store: 'recent' });
  }
  return out;
}

/** The list a rule's `-m recent --set` adds the source address to, if it has one. */
function recentSetList(rule: ParsedRule): string | null {
  const m = rule.matches.find(x => x.module === 'recent' && x.options.some(o => o.name === 'set'));
  return m ? m.options.find(o => o.name === 'name')?.values[0] ?? 'DEFAULT' : null;
}

/** xt_mark `--mark VALUE[/MASK]`. */
export function markMatches(mark: number, spec: string): boolean {
  const [value, mask] = spec.split('/');
  const maskValue = mask === undefined ? 0xffffffff : Number(mask) >>> 0;
  return ((mark & maskValue) >>> 0) === (Number(value) >>> 0);
}

/**
 * The packet mark after an xt_MARK target (`--set-xmark V/M` as iptables-save prints it, and the
 * `--set-mark`, `--or-mark`, `--and-mark`, `--xor-mark` forms kube-proxy writes); null when none is given.
 */
export function markAfter(mark: number, opt: (name: string) => string | undefined): number | null {
  const value = (name: string) => Number(opt(name)!.split('/')[0]) >>> 0;
  const mask = (name: string, fallback: number) => { const m = opt(name)!.split('/')[1]; return m === undefined ? fallback : Number(m) >>> 0; };
  if (opt('or-mark') !== undefined) return (mark | value('or-mark')) >>> 0;
  if (opt('xor-mark') !== undefined) return (mark ^ value('xor-mark')) >>> 0;
  if (opt('and-mark') !== undefined) return (mark & value('and-mark')) >>> 0;
  // xt_MARK: --set-xmark V/M is (mark & ~M) ^ V; --set-mark V/M is (mark & ~M) | V (default mask: all bits)
  if (opt('set-xmark') !== undefined) return ((mark & ~mask('set-xmark', 0xffffffff)) ^ value('set-xmark')) >>> 0;
  if (opt('set-mark') !== undefined) return ((mark & ~mask('set-mark', 0xffffffff)) | value('set-mark')) >>> 0;
  return null;
}

export function portMatches(spec: string, port: number): boolean {
  const [lo, hi] = spec.split(':');
  return hi === undefined ? Number(lo) === port : port >= Number(lo || 0) && port <= Number(hi || 65535);
}

/** `-i NAME` / `iifname NAME`: a trailing "+" (iptables) or "*" (nftables) matches every name with that prefix. */
export function interfaceNameMatches(pattern: string, iface: string, negated: boolean): boolean {
  const prefix = pattern.endsWith('+') || pattern.endsWith('*') ? pattern.slice(0, -1) : null;
  return (prefix !== null ? iface.startsWith(prefix) : iface === pattern) !== negated;
}
