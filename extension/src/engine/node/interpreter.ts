// The general netfilter interpreter over an imported iptables dump: any table, any chain, the
// matches and targets kube-proxy and the common CNIs write. It runs one packet (as the user
// describes it) through a hook in kernel order, or from one chain, and follows every `statistic`
// branch with its probability. Whatever the paste does not tell (an ipset that was not pasted, a
// chain with no rules in it, whether an address is local, an interface) stops that branch with
// verdict UNRESOLVED and the reason: nothing is guessed.
//
// Kernel order per hook (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*): raw -300, conntrack
// -200, mangle -150, nat (DNAT) -100, filter 0, security 50, nat (SNAT) 100. The nat table only
// sees the first packet of a connection (nf_nat_inet_fn: only for ct new), and never an untracked one.
import { cidrContains, parseCIDR, parseIP, type CIDR } from '../util/ip';
import type { ParsedRule, RuleMatch, RuleOption } from '../proxy/iptables/ruleParser';
import { runChainRules, type RuleOutcome } from '../walk/chainLoop';
import { markAfter, markMatches, portMatches } from '../walk/netfilter';
import type { DumpChain, DumpRule, DumpTable, IptablesDump } from './iptablesDump';
import type { ImportedIpset } from './ipsetDump';
import { matchesSet, type SetPacket } from './ipsetMatch';

export type NodeHook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export const NODE_HOOKS: readonly NodeHook[] = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

export const HOOK_TABLES: Record<NodeHook, readonly string[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'security', 'nat'],
  FORWARD: ['mangle', 'filter', 'security'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter', 'security'],
  POSTROUTING: ['mangle', 'nat'],
};

/** The packet to trace, as `natlens node trace` takes it (addresses, ports, interfaces and mark as it enters). */
export interface NodePacket extends SetPacket {
  readonly family: 'ip' | 'ip6';
  /** Conntrack state of the packet (NEW for a connection's first packet). */
  readonly ctstate: readonly string[];
  /** Conntrack status bits; null: the defaults of a new connection (none), unknown otherwise. */
  readonly ctstatus: readonly string[] | null;
  /** Addresses that are LOCAL for addrtype; null when the user gave none (then only loopback is known). */
  readonly local: readonly string[] | null;
  /** The packet came in through a bridge port (physdev). */
  readonly physdevIn: boolean;
  /** `recent` list entries that exist: list name and address. */
  readonly recent: readonly { readonly list: string; readonly address: string }[];
}

export type Verdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'RETURN' | 'UNRESOLVED';

/** What a matched rule did, as data (the sentences are rendered from it). */
export type Effect =
  | { readonly kind: 'match' }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  | { readonly kind: 'return' }
  | { readonly kind: 'verdict'; readonly verdict: 'ACCEPT' | 'DROP' | 'REJECT' }
  | { readonly kind: 'policy'; readonly verdict: string }
  | { readonly kind: 'mark'; readonly mark: number }
  | { readonly kind: 'connmark'; readonly ctmark: number | null }
  | { readonly kind: 'dnat'; readonly to: string }
  | { readonly kind: 'snat'; readonly to: string }
  | { readonly kind: 'masquerade'; readonly randomFully: boolean }
  | { readonly kind: 'redirect'; readonly toPorts: string | null }
  | { readonly kind: 'notrack' }
  /** LOG, NFLOG, TRACE, ...: no effect on where the packet goes. */
  | { readonly kind: 'side-effect'; readonly target: string };

export interface PathStep {
  readonly table: string;
  readonly chain: string;
  /** null for a built-in chain's policy. */
  readonly rule: DumpRule | null;
  readonly effect: Effect;
}

export interface Unresolved {
  /** The chain the walk could not go into, or the chain it stopped in. */
  readonly chain: string | null;
  readonly table: string;
  readonly rule: DumpRule | null;
  readonly reason: string;
}

export interface Branch {
  readonly probability: number;
  readonly verdict: Verdict;
  readonly unresolved: Unresolved | null;
  readonly path: readonly PathStep[];
  readonly jumps: readonly string[];
  readonly packet: { readonly src: string; readonly dst: string; readonly sport: number | null; readonly dport: number | null };
  readonly mark: number;
  readonly dnatTo: string | null;
  readonly snatTo: string | null;
  readonly masquerade: boolean;
  readonly randomFully: boolean;
}

export interface InterpretResult {
  readonly entered: string;
  readonly branches: readonly Branch[];
  /** What the interpreter took as given, said once (e.g. a table left out of the paste). */
  readonly notes: readonly string[];
}

export type Start = { readonly hook: NodeHook } | { readonly table: string; readonly chain: string };

interface Flow {
  src: string; dst: string; sport: number | null; dport: number | null;
  mark: number;
  ctmark: number | null;
  ctDnat: boolean; ctSnat: boolean; untracked: boolean;
  dnatTo: string | null; snatTo: string | null; masquerade: boolean; randomFully: boolean;
  probability: number;
  path: PathStep[];
  jumps: string[];
  recent: Set<string>;
}

type End = { flow: Flow; kind: 'return' | 'ACCEPT' | 'DROP' | 'REJECT' } | { flow: Flow; kind: 'UNRESOLVED'; unresolved: Unresolved };

class Stop {
  constructor(readonly reason: string) {}
}

const MAX_DEPTH = 64;
const MAX_BRANCHES = 4096;
const PROTO_NUMBERS: Record<string, string> = { '1': 'icmp', '6': 'tcp', '17': 'udp', '132': 'sctp', '58': 'ipv6-icmp', '4': 'ipencap', '47': 'gre', '50': 'esp' };
const SIDE_EFFECT_TARGETS = new Set(['LOG', 'NFLOG', 'ULOG', 'TRACE', 'AUDIT', 'CHECKSUM', 'TCPMSS', 'TOS', 'DSCP', 'TTL', 'HL', 'CLASSIFY', 'SET', 'IDLETIMER', 'LED', 'SECMARK', 'CONNSECMARK', 'NETMAP_LOG', 'TEE', 'SYNPROXY_LOG']);
const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);

const recentKey = (list: string, address: string) => `${list}\u0000${address}`;

function canonicalProto(p: string): string {
  const lower = p.toLowerCase();
  return PROTO_NUMBERS[lower] ?? (lower === 'icmpv6' || lower === 'ipv6-icmp' ? 'ipv6-icmp' : lower);
}

export class NodeInterpreter {
  constructor(readonly dump: IptablesDump, readonly ipsets: ReadonlyMap<string, ImportedIpset>) {}

  run(packet: NodePacket, start: Start): InterpretResult {
    const notes: string[] = [];
    let flows: End[] = [{ flow: this.initialFlow(packet), kind: 'ACCEPT' }];
    const entered = 'hook' in start ? start.hook : start.chain;
    if ('hook' in start) {
      for (const tableName of HOOK_TABLES[start.hook]) {
        flows = flows.flatMap(e => {
          if (e.kind !== 'ACCEPT') return [e];
          if (tableName === 'nat' && (e.flow.untracked || !packet.ctstate.includes('NEW'))) return [e];
          return this.runTable(packet, tableName, start.hook, e.flow, notes);
        });
      }
    } else {
      const table = this.dump.tables.get(start.table);
      const chain = table?.chains.get(start.chain);
      const builtin = table !== undefined && chain?.policy != null;
      flows = this.runChainChecked(packet, start.table, start.chain, this.initialFlow(packet), 0, builtin).map(e => {
        if (e.kind !== 'return' || !builtin) return e;
        return this.policy(start.table, chain!, e.flow);
      });
    }
    const branches = flows.map(e => toBranch(e));
    return { entered, branches, notes };
  }

  private initialFlow(p: NodePacket): Flow {
    return {
      src: p.src, dst: p.dst, sport: p.sport, dport: p.dport, mark: p.mark >>> 0,
      ctmark: p.ctstate.includes('NEW') ? 0 : null,
      ctDnat: p.ctstate.includes('DNAT'), ctSnat: p.ctstate.includes('SNAT'), untracked: p.ctstate.includes('UNTRACKED'),
      dnatTo: null, snatTo: null, masquerade: false, randomFully: false, probability: 1, path: [], jumps: [],
      recent: new Set(p.recent.map(r => recentKey(r.list, r.address))),
    };
  }

  /** One table's built-in chain at a hook; its policy when the packet falls off it. */
  private runTable(packet: NodePacket, tableName: string, hook: NodeHook, flow: Flow, notes: string[]): End[] {
    const table = this.dump.tables.get(tableName);
    if (!table) {
      if (this.dump.onlyTable !== null || ![...this.dump.tables.values()].some(t => t.complete)) {
        return [unresolvedEnd(flow, { chain: hook, table: tableName, rule: null, reason: `the paste does not show the ${tableName} table${this.dump.onlyTable ? ` (it was printed with -t ${this.dump.onlyTable})` : ''}` })];
      }
      note(notes, `the ${tableName} table is not in the paste: iptables-save prints every table that exists, so it is taken as absent`);
      return [{ flow, kind: 'ACCEPT' }];
    }
    const chain = table.chains.get(hook);
    if (!chain) {
      // kube-proxy's restore input declares only its own chains
      return [unresolvedEnd(flow, { chain: hook, table: tableName, rule: null, reason: `${tableName} ${hook} is not in the paste (kube-proxy's restore input leaves the built-in chains out; start with --chain)` })];
    }
    return this.runChainChecked(packet, tableName, hook, flow, 0, true).map(e => (e.kind === 'return' ? this.policy(tableName, chain, e.flow) : e));
  }

  private policy(table: string, chain: DumpChain, flow: Flow): End {
    if (chain.policy === null) return unresolvedEnd(flow, { chain: chain.name, table, rule: null, reason: `the policy of ${table} ${chain.name} is not in the paste` });
    const verdict = chain.policy === 'DROP' ? 'DROP' : chain.policy === 'ACCEPT' ? 'ACCEPT' : null;
    if (verdict === null) return unresolvedEnd(flow, { chain: chain.name, table, rule: null, reason: `policy ${chain.policy} of ${chain.name} is not understood` });
    return { flow: { ...flow, path: [...flow.path, { table, chain: chain.name, rule: null, effect: { kind: 'policy', verdict } }] }, kind: verdict };
  }

  /** Runs a chain that the paste must show; `builtin`: a built-in chain is run (its rules may be none). */
  private runChainChecked(packet: NodePacket, tableName: string, chainName: string, flow: Flow, depth: number, builtin = false): End[] {
    const table = this.dump.tables.get(tableName);
    const chain = table?.chains.get(chainName);
    if (!table || !chain) return [unresolvedEnd(flow, { chain: chainName, table: tableName, rule: null, reason: `chain ${chainName} is not in the paste (${tableName} table)` })];
    if (chain.rules.length === 0 && !builtin && !table.complete) {
      return [unresolvedEnd(flow, { chain: chainName, table: tableName, rule: null, reason: `chain ${chainName} has no rules in the paste, which is not a whole ${tableName} table` })];
    }
    return this.runChain(packet, table, chain, flow, depth);
  }

  private runChain(packet: NodePacket, table: DumpTable, chain: DumpChain, flow: Flow, depth: number): End[] {
    if (depth > MAX_DEPTH) return [unresolvedEnd(flow, { chain: chain.name, table: table.name, rule: null, reason: `chains nest deeper than ${MAX_DEPTH} (a loop in the paste?)` })];
    return runChainRules<Flow, End>(flow, {
      rules: chain.rules.length,
      onRule: (i, cur, live) => {
        const rule = chain.rules[i]!;
        const stopHere = (reason: string) => [{ end: unresolvedEnd(cur, { chain: chain.name, table: table.name, rule, reason }) }];
        let p: number;
        try {
          p = this.matchProbability(packet, rule.parsed, cur);
        } catch (e) {
          if (!(e instanceof Stop)) throw e;
          return stopHere(e.reason);
        }
        if (p === 0) return null;
        const out: RuleOutcome<Flow, End>[] = [];
        let taken = cur;
        if (p < 1) {
          if (live > MAX_BRANCHES) return stopHere(`more than ${MAX_BRANCHES} load-balancing branches`);
          out.push({ next: { ...cur, probability: cur.probability * (1 - p) } });
          taken = { ...cur, probability: cur.probability * p };
        }
        for (const r of this.applyTarget(packet, table, chain, rule, this.recentEffects(rule, taken), depth)) {
          out.push(r.kind === 'continue' ? { next: r.flow } : { end: r });
        }
        return out;
      },
      fallOff: f => ({ flow: f, kind: 'return' }),
    });
  }

  private step(flow: Flow, table: string, chain: string, rule: DumpRule, effect: Effect, changes: Partial<Flow> = {}): Flow {
    return { ...flow, ...changes, path: [...flow.path, { table, chain, rule, effect }] };
  }

  /** `-m recent --set` adds the address as the rule matches (before its target runs). */
  private recentEffects(rule: DumpRule, flow: Flow): Flow {
    const m = rule.parsed.matches.find(x => x.module === 'recent' && x.options.some(o => o.name === 'set'));
    if (!m) return flow;
    const list = opt(m, 'name') ?? 'DEFAULT';
    const address = m.options.some(o => o.name === 'rdest') ? flow.dst : flow.src;
    return { ...flow, recent: new Set([...flow.recent, recentKey(list, address)]) };
  }

  private applyTarget(packet: NodePacket, table: DumpTable, chain: DumpChain, rule: DumpRule, flow: Flow, depth: number): ({ flow: Flow; kind: 'continue' } | End)[] {
    const r = rule.parsed;
    const t = table.name, c = chain.name;
    const target = r.target;
    const topt = (name: string) => r.targetOptions.find(o => o.name === name)?.values[0];
    const has = (name: string) => r.targetOptions.some(o => o.name === name);
    const stop = (reason: string) => [unresolvedEnd(flow, { chain: c, table: t, rule, reason })];
    switch (target) {
      case undefined: case '':
        return [{ flow: this.step(flow, t, c, rule, { kind: 'match' }), kind: 'continue' }];
      case 'ACCEPT': case 'DROP': case 'REJECT':
        return [{ flow: this.step(flow, t, c, rule, { kind: 'verdict', verdict: target }), kind: target }];
      case 'RETURN':
        return [{ flow: this.step(flow, t, c, rule, { kind: 'return' }), kind: 'return' }];
      case 'MARK': {
        const mark = markAfter(flow.mark, topt);
        if (mark === null) return stop(`MARK options not understood: ${r.text}`);
        return [{ flow: this.step(flow, t, c, rule, { kind: 'mark', mark }, { mark }), kind: 'continue' }];
      }
      case 'CONNMARK': {
        if (has('restore-mark')) {
          if (flow.ctmark === null) return stop('CONNMARK --restore-mark: the connection\'s mark is not known for a packet that is not NEW');
          const nfmask = Number(topt('nfmask') ?? topt('mask') ?? '0xffffffff') >>> 0;
          const ctmask = Number(topt('ctmask') ?? topt('mask') ?? '0xffffffff') >>> 0;
          const mark = ((flow.mark & ~nfmask) | (flow.ctmark & ctmask)) >>> 0;
          return [{ flow: this.step(flow, t, c, rule, { kind: 'mark', mark }, { mark }), kind: 'continue' }];
        }
        if (has('save-mark')) {
          const nfmask = Number(topt('nfmask') ?? topt('mask') ?? '0xffffffff') >>> 0;
          const ctmask = Number(topt('ctmask') ?? topt('mask') ?? '0xffffffff') >>> 0;
          const ctmark = flow.ctmark === null ? null : ((flow.ctmark & ~ctmask) | (flow.mark & nfmask)) >>> 0;
          return [{ flow: this.step(flow, t, c, rule, { kind: 'connmark', ctmark }, { ctmark }), kind: 'continue' }];
        }
        const ctmark = flow.ctmark === null ? null : markAfter(flow.ctmark, topt);
        return [{ flow: this.step(flow, t, c, rule, { kind: 'connmark', ctmark }, { ctmark }), kind: 'continue' }];
      }
      case 'DNAT': case 'SNAT': {
        if (t !== 'nat') return stop(`${target} outside the nat table`);
        const to = topt(target === 'DNAT' ? 'to-destination' : 'to-source');
        if (!to) return stop(`${target} without an address`);
        const parsed = natAddress(to);
        const changes: Partial<Flow> = target === 'DNAT'
          ? { dnatTo: to, ctDnat: true, ...(parsed ? { dst: parsed.ip ?? flow.dst, dport: parsed.port ?? flow.dport } : {}) }
          : { snatTo: to, ctSnat: true, randomFully: has('random-fully'), ...(parsed ? { src: parsed.ip ?? flow.src, sport: parsed.port ?? flow.sport } : {}) };
        const effect: Effect = target === 'DNAT' ? { kind: 'dnat', to } : { kind: 'snat', to };
        return [{ flow: this.step(flow, t, c, rule, effect, changes), kind: 'ACCEPT' }];
      }
      case 'MASQUERADE': {
        if (t !== 'nat') return stop('MASQUERADE outside the nat table');
        const randomFully = has('random-fully');
        return [{ flow: this.step(flow, t, c, rule, { kind: 'masquerade', randomFully }, { masquerade: true, randomFully, ctSnat: true }), kind: 'ACCEPT' }];
      }
      case 'REDIRECT': {
        if (t !== 'nat') return stop('REDIRECT outside the nat table');
        return [{ flow: this.step(flow, t, c, rule, { kind: 'redirect', toPorts: topt('to-ports') ?? null }, { ctDnat: true }), kind: 'ACCEPT' }];
      }
      case 'CT': case 'NOTRACK': {
        const notrack = target === 'NOTRACK' || has('notrack');
        if (!notrack) return [{ flow: this.step(flow, t, c, rule, { kind: 'side-effect', target }), kind: 'continue' }];
        return [{ flow: this.step(flow, t, c, rule, { kind: 'notrack' }, { untracked: true }), kind: 'continue' }];
      }
      case 'NFQUEUE': case 'QUEUE': case 'TPROXY': case 'NETMAP': case 'CLUSTERIP':
        return stop(`${target} hands the packet to something the paste does not show`);
      default: {
        if (SIDE_EFFECT_TARGETS.has(target)) return [{ flow: this.step(flow, t, c, rule, { kind: 'side-effect', target }), kind: 'continue' }];
        if (NAT_TARGETS.has(target)) return stop(`${target} not understood`);
        const jumpKind = r.goto ? 'goto' as const : 'jump' as const;
        const entered = this.step(flow, t, c, rule, { kind: jumpKind, chain: target }, { jumps: [...flow.jumps, target] });
        return this.runChainChecked(packet, t, target, entered, depth + 1).map(e => {
          if (e.kind !== 'return') return e;
          // goto: the chain's return ends the chain that went there too
          return jumpKind === 'goto' ? e : { flow: e.flow, kind: 'continue' as const };
        });
      }
    }
  }

  /** Probability that the rule matches: 0, 1, or a statistic's probability; throws Stop when it cannot be known. */
  private matchProbability(packet: NodePacket, r: ParsedRule, flow: Flow): number {
    if (r.source && !addressMatches(r.source, flow.src)) return 0;
    if (r.destination && !addressMatches(r.destination, flow.dst)) return 0;
    if (r.inInterface && !interfaceMatches(r.inInterface, packet.inIface, 'in')) return 0;
    if (r.outInterface && !interfaceMatches(r.outInterface, packet.outIface, 'out')) return 0;
    if (r.protocol) {
      const want = canonicalProto(r.protocol.value);
      const is = want === 'all' || want === '0' || want === canonicalProto(packet.proto);
      if (is === r.protocol.negated) return 0;
    }
    let probability = 1;
    for (const m of r.matches) {
      probability *= this.moduleProbability(packet, m, flow);
      if (probability === 0) return 0;
    }
    return probability;
  }

  private moduleProbability(packet: NodePacket, m: RuleMatch, flow: Flow): number {
    const proto = canonicalProto(packet.proto);
    let probability = 1;
    for (const o of m.options) {
      const v = o.values[0] ?? '';
      let ok: boolean;
      switch (`${m.module}/${o.name}`) {
        case 'comment/comment': case 'nfacct/nfacct-name': continue;
        case 'tcp/dport': case 'udp/dport': case 'sctp/dport': case 'tcp/destination-port': case 'udp/destination-port': case 'sctp/destination-port':
          ok = m.module === proto && portMatches(v, known(flow.dport, 'dport')); break;
        case 'tcp/sport': case 'udp/sport': case 'sctp/sport': case 'tcp/source-port': case 'udp/source-port': case 'sctp/source-port':
          ok = m.module === proto && portMatches(v, known(flow.sport, 'sport')); break;
        case 'tcp/syn': case 'tcp/tcp-flags':
          if (proto !== 'tcp') { ok = false; break; }
          if (!packet.ctstate.includes('NEW') || packet.ctstate.length > 1 && !packet.ctstate.every(s => ['NEW', 'DNAT', 'SNAT'].includes(s))) throw new Stop('TCP flags are known only for a connection\'s first packet (a SYN)');
          ok = o.name === 'syn' ? true : tcpFlagsOfSyn(o.values);
          break;
        case 'multiport/dports': case 'multiport/destination-ports':
          ok = PORT_PROTOCOLS.has(proto) && listMatches(v, known(flow.dport, 'dport')); break;
        case 'multiport/sports': case 'multiport/source-ports':
          ok = PORT_PROTOCOLS.has(proto) && listMatches(v, known(flow.sport, 'sport')); break;
        case 'multiport/ports':
          ok = PORT_PROTOCOLS.has(proto) && (listMatches(v, known(flow.dport, 'dport')) || listMatches(v, known(flow.sport, 'sport'))); break;
        case 'mark/mark': ok = markMatches(flow.mark, v); break;
        case 'connmark/mark':
          if (flow.ctmark === null) throw new Stop('the connection\'s mark (connmark) is not known for a packet that is not NEW');
          ok = markMatches(flow.ctmark, v); break;
        case 'conntrack/ctstate': case 'state/state': {
          const states = new Set(packet.ctstate.filter(s => s !== 'DNAT' && s !== 'SNAT'));
          if (flow.untracked) { states.clear(); states.add('UNTRACKED'); }
          if (m.module === 'conntrack' && flow.ctDnat) states.add('DNAT');
          if (m.module === 'conntrack' && flow.ctSnat) states.add('SNAT');
          ok = v.split(',').some(s => states.has(s));
          break;
        }
        case 'conntrack/ctstatus': {
          const status = packet.ctstatus ?? (packet.ctstate.includes('NEW') ? [] : null);
          if (status === null) throw new Stop('conntrack status is not known: give --ctstatus');
          const set = new Set(status.length ? status : ['NONE']);
          ok = v.split(',').some(s => set.has(s));
          break;
        }
        case 'conntrack/ctorigdst': ok = addressMatches({ negated: false, value: v }, packet.dst); break;
        case 'conntrack/ctorigsrc': ok = addressMatches({ negated: false, value: v }, packet.src); break;
        case 'conntrack/ctorigdstport': ok = portMatches(v, known(packet.dport, 'dport')); break;
        case 'conntrack/ctorigsrcport': ok = portMatches(v, known(packet.sport, 'sport')); break;
        case 'conntrack/ctproto': ok = canonicalProto(v) === proto; break;
        case 'conntrack/ctdir':
          if (!packet.ctstate.includes('NEW')) throw new Stop('the packet\'s conntrack direction is not known for a packet that is not NEW');
          ok = v === 'ORIGINAL'; break;
        case 'addrtype/dst-type': ok = this.addrType(packet, flow.dst, v); break;
        case 'addrtype/src-type': ok = this.addrType(packet, flow.src, v); break;
        case 'physdev/physdev-is-in': ok = packet.physdevIn; break;
        case 'physdev/physdev-is-bridged': case 'physdev/physdev-in': case 'physdev/physdev-out': case 'physdev/physdev-is-out':
          if (packet.physdevIn) throw new Stop(`physdev --${o.name}: which bridge port is not known`);
          ok = false; break;
        case 'set/match-set': {
          const set = this.ipsets.get(v);
          if (!set) throw new Stop(`ipset ${v} is not in the paste`);
          const result = matchesSet(set, (o.values[1] ?? '').split(','), { src: flow.src, dst: flow.dst, proto, sport: flow.sport, dport: flow.dport, inIface: packet.inIface, outIface: packet.outIface, mark: flow.mark }, this.ipsets);
          if (typeof result === 'string') throw new Stop(result);
          ok = result;
          break;
        }
        case 'set/return-nomatch': case 'set/update-counters': case 'set/update-subcounters': continue;
        case 'statistic/mode': if (v !== 'random' && v !== 'nth') throw new Stop(`statistic mode ${v} is not known`); continue;
        case 'statistic/probability': probability = o.negated ? 1 - Number(v) : Number(v); continue;
        case 'statistic/every': probability = o.negated ? 1 - 1 / Number(v) : 1 / Number(v); continue;
        case 'statistic/packet': continue;
        case 'recent/rcheck': case 'recent/update': case 'recent/remove': {
          const list = opt(m, 'name') ?? 'DEFAULT';
          if (m.options.some(x => x.name === 'hitcount')) throw new Stop('recent --hitcount: how often the address was seen is not known');
          const address = m.options.some(x => x.name === 'rdest') ? flow.dst : flow.src;
          ok = flow.recent.has(recentKey(list, address));
          break;
        }
        case 'recent/set': case 'recent/name': case 'recent/seconds': case 'recent/reap': case 'recent/mask': case 'recent/rsource': case 'recent/rdest': case 'recent/rttl': continue;
        case 'iprange/src-range': ok = inRange(v, flow.src); break;
        case 'iprange/dst-range': ok = inRange(v, flow.dst); break;
        // the token bucket starts full: a first packet is under any limit
        case 'limit/limit': case 'limit/limit-burst': continue;
        case 'pkttype/pkt-type': ok = v === pktType(flow.dst); break;
        default: throw new Stop(`match -m ${m.module} --${o.name} is not modelled`);
      }
      if (ok === o.negated) return 0;
    }
    return probability;
  }

  private addrType(packet: NodePacket, address: string, types: string): boolean {
    const ip = parseIP(address);
    return types.split(',').some(type => {
      switch (type) {
        case 'LOCAL':
          if (ip && isLoopbackIP(address)) return true;
          if (packet.local === null) throw new Stop(`addrtype LOCAL: whether ${address} is one of the node's addresses is not known (give --local)`);
          return packet.local.includes(address);
        case 'MULTICAST': return pktType(address) === 'multicast';
        default: throw new Stop(`addrtype ${type} depends on the node's routing table, which the paste does not show`);
      }
    });
  }
}

function note(notes: string[], text: string): void {
  if (!notes.includes(text)) notes.push(text);
}

function unresolvedEnd(flow: Flow, unresolved: Unresolved): End {
  return { flow, kind: 'UNRESOLVED', unresolved };
}

function toBranch(e: End): Branch {
  const f = e.flow;
  return {
    probability: f.probability,
    verdict: e.kind === 'return' ? 'RETURN' : e.kind,
    unresolved: e.kind === 'UNRESOLVED' ? e.unresolved : null,
    path: f.path, jumps: f.jumps,
    packet: { src: f.src, dst: f.dst, sport: f.sport, dport: f.dport },
    mark: f.mark, dnatTo: f.dnatTo, snatTo: f.snatTo, masquerade: f.masquerade, randomFully: f.randomFully,
  };
}

function opt(m: RuleMatch, name: string): string | undefined {
  return m.options.find((o: RuleOption) => o.name === name)?.values[0];
}

const cidrCache = new Map<string, CIDR | null>();
function cidrOf(text: string): CIDR | null {
  let c = cidrCache.get(text);
  if (c === undefined) {
    const ip = parseIP(text);
    c = ip ? { ip, prefix: ip.family === 'IPv4' ? 32 : 128 } : parseCIDR(text);
    if (cidrCache.size > 10000) cidrCache.clear();
    cidrCache.set(text, c);
  }
  return c;
}

function addressMatches(a: { negated: boolean; value: string }, address: string): boolean {
  const ip = parseIP(address);
  const c = cidrOf(a.value);
  if (!c) throw new Stop(`address "${a.value}" is not understood`);
  return (ip !== null && cidrContains(c, ip)) !== a.negated;
}

function interfaceMatches(a: { negated: boolean; value: string }, iface: string | null, dir: 'in' | 'out'): boolean {
  if (iface === null) throw new Stop(`the rule matches the ${dir === 'in' ? 'incoming' : 'outgoing'} interface (${a.negated ? '! ' : ''}${a.value}): give --${dir}-iface`);
  const hit = a.value.endsWith('+') ? iface.startsWith(a.value.slice(0, -1)) : iface === a.value;
  return hit !== a.negated;
}

const PORT_PROTOCOLS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'dccp']);

/** A port the rule needs: the user must have given it. */
function known(port: number | null, flag: 'sport' | 'dport'): number {
  if (port === null) throw new Stop(`the rule matches the ${flag === 'sport' ? 'source' : 'destination'} port: give --${flag}`);
  return port;
}

function listMatches(list: string, port: number): boolean {
  return list.split(',').some(p => portMatches(p, port));
}

/** `--tcp-flags MASK COMP` for a SYN (SYN set, ACK/FIN/RST/PSH/URG clear). */
function tcpFlagsOfSyn(values: readonly string[]): boolean {
  const expand = (s: string) => (s === 'ALL' ? ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'] : s === 'NONE' ? [] : s.split(','));
  const mask = expand(values[0] ?? ''), comp = new Set(expand(values[1] ?? ''));
  return mask.every(f => (f === 'SYN') === comp.has(f));
}

function inRange(range: string, address: string): boolean {
  const [lo, hi] = range.split('-');
  const a = parseIP(address), l = parseIP(lo ?? ''), h = parseIP(hi ?? lo ?? '');
  if (!a || !l || !h) throw new Stop(`iprange ${range} is not understood`);
  const cmp = (x: Uint8Array, y: Uint8Array) => { for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!; return 0; };
  return a.family === l.family && cmp(a.bytes, l.bytes) >= 0 && cmp(a.bytes, h.bytes) <= 0;
}

function isLoopbackIP(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

function pktType(address: string): 'unicast' | 'multicast' | 'broadcast' {
  if (address === '255.255.255.255') return 'broadcast';
  const first = Number(address.split('.')[0]);
  if (!address.includes(':') && first >= 224 && first <= 239) return 'multicast';
  if (address.toLowerCase().startsWith('ff')) return 'multicast';
  return 'unicast';
}

/** `ip`, `ip:port`, `[v6]:port`; ranges (`a-b`, `:p1-p2`) keep the first address/port they name. */
export function natAddress(to: string): { ip: string | null; port: number | null } | null {
  const v6 = /^\[([^\]]+)\](?::(\d+)(?:-\d+)?)?$/.exec(to);
  if (v6) return { ip: v6[1]!.split('-')[0]!, port: v6[2] ? Number(v6[2]) : null };
  const v4 = /^([0-9.]*)(?:-[0-9.]+)?(?::(\d+)(?:-\d+)?)?$/.exec(to);
  if (v4) return { ip: v4[1] || null, port: v4[2] ? Number(v4[2]) : null };
  if (parseIP(to)) return { ip: to, port: null };
  return null;
}
