// A model of one node's nftables that executes the table generateNftables() makes (kube-proxy's
// nftables mode): at each hook, the table's base chains hooked there run in priority order
// (prerouting: filter-prerouting-pre-dnat at -110, then nat-prerouting at -100; output:
// filter-output-pre-dnat, nat-output, filter-output; ...). Each rule is read into the expressions
// kube-proxy writes (address, protocol and port matches, set and verdict-map lookups on
// concatenations, fib, ct state, mark arithmetic, numgen, dnat, masquerade, verdicts) and evaluated
// against the packet and the table's sets and maps. Every `numgen random` branch is followed with
// its probability, so the caller sees all endpoints a connection can reach. Expressions outside
// that vocabulary throw a WalkError naming them; nothing is guessed.
//
// Kernel semantics modelled (net/netfilter/nf_tables_core.c and nft_*.c):
//   - a rule matches when all its matches hold; its statements then run left to right;
//   - `jump C` runs C and continues after the rule when C returns; `goto C` runs C and, when C
//     returns, returns from the current chain; falling off a base chain applies its policy (accept);
//   - `accept` ends the base chain (the next base chain of the hook still runs); `drop` and `reject`
//     end the packet; `dnat` and `masquerade` set up the NAT binding and accept (NF_ACCEPT);
//   - a verdict map (`vmap @m`, `vmap { … }`) that has no element for the key does not match.
// The walk traces the first packet of a connection: `ct state new` holds. The session-affinity sets
// start empty (the generated table has no elements); `update @affinity-… { ip saddr }` records the
// client in the walk's state, so a later connection of the same client finds it in `ip saddr @affinity-…`.
import { canonicalIP, cidrContains, parseCIDR, parseIP, type CIDR, type IP } from '../util/ip';
import { generateNftables, type NftablesRuleset, type NftBaseChain, type NftElement, type NftSet, type NftTable } from '../proxy/nftables/generator';
import type { Table } from '../proxy/iptables/generator';
import { WalkError, affinityEntry, endpointShape, interfaceNameMatches, joinBranch, makeHop, remember, type BranchGroup, type ConnState, type Hook, type NodeNetwork, type NodeProgram, type ProgramFactory, type TableOutcome } from './netfilter';
import { masqueradeEffect, type HopEffect, type NumgenBranch } from './effects';
import { runChainRules, type RuleOutcome } from './chainLoop';

// ------------------------------------------------------------------------------------- expressions

type Family = 'ip' | 'ip6';

/** What a match reads from the packet. */
type Selector =
  | { readonly kind: 'addr'; readonly which: 'saddr' | 'daddr' }
  | { readonly kind: 'l4proto' }
  | { readonly kind: 'port'; readonly which: 'sport' | 'dport'; /** `tcp dport` also requires tcp */ readonly proto: string | null }
  | { readonly kind: 'mark' };

/** A literal value a selector is compared with. */
type Literal =
  | { readonly kind: 'cidr'; readonly cidr: CIDR }
  | { readonly kind: 'proto'; readonly proto: string }
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number };

type Verdict =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string };

type Piece =
  /** `SEL [. SEL…] [and MASK] [==|!=] VALUE`: VALUE is a literal, an anonymous set or @set. */
  | { readonly kind: 'cmp'; readonly sel: readonly Selector[]; readonly mask: number | null; readonly negated: boolean; readonly value: { readonly set: string } | { readonly anon: readonly Literal[] } | { readonly literal: Literal } }
  /** `SEL [. SEL…] vmap @map` */
  | { readonly kind: 'vmap'; readonly sel: readonly Selector[]; readonly map: string }
  /** `numgen random mod N [offset M] vmap { K : VERDICT , … }` */
  | { readonly kind: 'numgen'; readonly mod: number; readonly offset: number; readonly entries: ReadonlyMap<number, Verdict> }
  | { readonly kind: 'fib'; readonly which: 'saddr' | 'daddr'; readonly negated: boolean }
  | { readonly kind: 'ctstate'; readonly negated: boolean; readonly states: readonly string[] }
  | { readonly kind: 'markset'; readonly op: 'set' | 'or' | 'xor' | 'and'; readonly value: number }
  | { readonly kind: 'update'; readonly set: string }
  | { readonly kind: 'dnat'; readonly to: string; readonly ip: string; readonly port: number | null }
  | { readonly kind: 'masquerade'; readonly randomPort: boolean }
  | { readonly kind: 'snat'; readonly to: string; readonly ip: string; readonly port: number | null }
  /** iptables-nft's `-m statistic --mode random`: `meta random & 2147483647 < N` holds with probability N/2^31. */
  | { readonly kind: 'random'; readonly probability: number }
  /** `iifname`/`oifname [!=] "name"` (a trailing `*` matches a prefix). */
  | { readonly kind: 'iface'; readonly which: 'in' | 'out'; readonly negated: boolean; readonly name: string }
  | { readonly kind: 'verdict'; readonly verdict: Verdict };

interface CompiledRule {
  readonly chain: string;
  readonly pieces: readonly Piece[];
  /** Why the rule could not be read (a pasted table's rule outside the vocabulary): walking into it stops there. */
  readonly unreadable?: string;
  /** 0-based line of the rule in `ruleset.lines` (the dump the preview shows). */
  readonly line: number;
  /** That line's text (`add rule ip kube-proxy CHAIN RULE [comment "…"]`). */
  readonly text: string;
}

const PROTO_NUMBERS: Record<string, string> = { '6': 'tcp', '17': 'udp', '132': 'sctp', '1': 'icmp', '58': 'ipv6-icmp' };
const PROTO_NAMES = new Set(['tcp', 'udp', 'sctp', 'icmp', 'ipv6-icmp', 'icmpv6', 'udplite', 'dccp']);

function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t') { i++; continue; }
    if (ch === '{' || ch === '}' || ch === ',') { out.push(ch); i++; continue; }
    if (ch === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new WalkError(`unterminated string in nftables rule: ${text}`);
      out.push(text.slice(i, end + 1));
      i = end + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !' \t{},"'.includes(text[j]!)) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

function parseNumber(token: string | undefined, what: string, rule: string): number {
  if (token === undefined || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(token)) throw new WalkError(`nftables ${what} "${token ?? ''}" is not a number (rule: ${rule})`);
  return Number(token) >>> 0;
}

class RuleParser {
  private i = 0;
  private readonly tokens: string[];

  constructor(private readonly text: string, private readonly family: Family) {
    this.tokens = tokenize(text);
  }

  private peek(k = 0): string | undefined { return this.tokens[this.i + k]; }
  private next(): string | undefined { return this.tokens[this.i++]; }
  private fail(what: string): never {
    throw new WalkError(`nftables expression "${what}" is not modelled by the packet walk (rule: ${this.text})`);
  }
  private expect(token: string): void {
    const got = this.next();
    if (got !== token) this.fail(`${this.tokens.slice(0, this.i).join(' ')}: expected "${token}", got "${got ?? '(end)'}"`);
  }
  private rest(): string { return this.tokens.slice(this.i).join(' '); }

  parse(): Piece[] {
    const pieces: Piece[] = [];
    while (this.i < this.tokens.length) {
      const piece = this.piece();
      if (piece) pieces.push(piece);
      const last = pieces.at(-1);
      // a verdict, a verdict map or a NAT statement (which accepts) ends the rule
      if (last && ['verdict', 'vmap', 'numgen', 'dnat', 'snat', 'masquerade'].includes(last.kind) && this.i < this.tokens.length) this.fail(this.rest());
    }
    return pieces;
  }

  private piece(): Piece | null {
    const t = this.peek()!;
    switch (t) {
      case 'counter': {
        this.next();
        while (this.peek() === 'packets' || this.peek() === 'bytes') { this.next(); this.next(); }
        return null;
      }
      case 'comment': this.next(); this.next(); return null;
      case 'meta': {
        if (this.peek(1) !== 'random') return this.match();
        this.i += 2;
        if (this.next() !== '&' || this.next() !== '2147483647' || this.next() !== '<') this.fail(`meta random ${this.rest()}`);
        return { kind: 'random', probability: parseNumber(this.next(), 'random threshold', this.text) / 2 ** 31 };
      }
      case 'ct': {
        this.next();
        if (this.next() !== 'state') this.fail(`ct ${this.tokens[this.i - 1] ?? ''}`);
        const negated = this.peek() === '!=';
        if (negated || this.peek() === '==') this.next();
        const states = this.peek() === '{' ? this.braced() : this.commaList();
        for (const s of states) if (!['new', 'established', 'related', 'invalid', 'untracked'].includes(s)) this.fail(`ct state ${s}`);
        return { kind: 'ctstate', negated, states };
      }
      case 'fib': {
        this.next();
        const which = this.next();
        if (which !== 'saddr' && which !== 'daddr') this.fail(`fib ${which ?? ''}`);
        if (this.next() !== 'type') this.fail(`fib ${which} ${this.tokens[this.i - 1] ?? ''}`);
        const negated = this.peek() === '!=';
        if (negated || this.peek() === '==') this.next();
        const type = this.next();
        if (type !== 'local') this.fail(`fib ${which} type ${type ?? ''}`);
        return { kind: 'fib', which, negated };
      }
      case 'numgen': {
        this.next();
        if (this.next() !== 'random') this.fail(`numgen ${this.tokens[this.i - 1] ?? ''}`);
        this.expect('mod');
        const mod = parseNumber(this.next(), 'numgen modulus', this.text);
        let offset = 0;
        if (this.peek() === 'offset') { this.next(); offset = parseNumber(this.next(), 'numgen offset', this.text); }
        if (this.peek() !== 'vmap') this.fail(`numgen random mod ${mod} ${this.rest()}`);
        this.next();
        if (this.peek() !== '{') this.fail(`numgen vmap ${this.rest()}`);
        const entries = new Map<number, Verdict>();
        for (const e of this.bracedGroups()) {
          if (e[1] !== ':' || e.length < 3) this.fail(`numgen vmap element "${e.join(' ')}"`);
          entries.set(parseNumber(e[0], 'numgen vmap key', this.text), parseVerdict(e.slice(2), this.text));
        }
        if (mod === 0) this.fail('numgen random mod 0');
        return { kind: 'numgen', mod, offset, entries };
      }
      case 'update': case 'add': {
        this.next();
        const set = this.next();
        if (!set?.startsWith('@')) this.fail(`${t} ${set ?? ''}`);
        // kube-proxy's affinity sets remember the client address: the only key the walk records
        const key = this.braced().join(' ');
        if (key !== 'ip saddr' && key !== 'ip6 saddr') this.fail(`${t} ${set} { ${key} } (only { ip saddr } is modelled)`);
        return { kind: 'update', set: set.slice(1) };
      }
      case 'iifname': case 'oifname': {
        this.next();
        const negated = this.peek() === '!=';
        if (negated || this.peek() === '==') this.next();
        const name = this.next();
        if (!name) this.fail(t);
        // kube-proxy writes its local detector's name bare (localdetector.go), `nft list` quotes it
        return { kind: 'iface', which: t === 'iifname' ? 'in' : 'out', negated, name: name.replace(/^"(.*)"$/, '$1') };
      }
      case 'snat': case 'dnat': {
        this.next();
        this.expect('to');
        const to = this.next() ?? this.fail('dnat to (nothing)');
        const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(to) ?? /^([0-9.]+):(\d+)$/.exec(to) ?? /^([0-9a-fA-F:.]+)()$/.exec(to);
        const ip = m ? canonicalIP(m[1]!) : null;
        if (!m || !ip) this.fail(`${t} to ${to}`);
        if (parseIP(ip)!.family !== (this.family === 'ip' ? 'IPv4' : 'IPv6')) this.fail(`${t} to ${to} in an ${this.family} table`);
        return { kind: t, to, ip, port: m[2] ? Number(m[2]) : null };
      }
      case 'masquerade': {
        this.next();
        let randomPort = false;
        for (;;) {
          const o = this.peek();
          if (o === 'fully-random' || o === 'random') { randomPort = true; this.next(); }
          else if (o === 'persistent') this.next();
          else if (o === ',') this.next();
          else break;
        }
        return { kind: 'masquerade', randomPort };
      }
      case 'accept': case 'drop': case 'return': case 'continue': case 'jump': case 'goto': {
        const words = [this.next()!];
        if (t === 'jump' || t === 'goto') words.push(this.next() ?? this.fail(`${t} (no chain)`));
        return { kind: 'verdict', verdict: parseVerdict(words, this.text) };
      }
      case 'reject': {
        this.next();
        if (this.i < this.tokens.length) this.fail(`reject ${this.rest()}`);
        return { kind: 'verdict', verdict: { kind: 'reject' } };
      }
      default:
        return this.match();
    }
  }

  private selector(): Selector | null {
    const t = this.peek();
    const second = this.peek(1);
    if ((t === 'ip' || t === 'ip6') && (second === 'saddr' || second === 'daddr')) {
      if (t !== this.family) this.fail(`${t} ${second} in an ${this.family} table`);
      this.i += 2;
      return { kind: 'addr', which: second };
    }
    if (t === 'meta' && second === 'l4proto') { this.i += 2; return { kind: 'l4proto' }; }
    if (t === 'meta' && second === 'mark') { this.i += 2; return { kind: 'mark' }; }
    if (t === 'mark') { this.i += 1; return { kind: 'mark' }; }
    if (t === 'th' && (second === 'sport' || second === 'dport')) { this.i += 2; return { kind: 'port', which: second, proto: null }; }
    if ((t === 'tcp' || t === 'udp' || t === 'sctp') && (second === 'sport' || second === 'dport')) { this.i += 2; return { kind: 'port', which: second, proto: t }; }
    return null;
  }

  private match(): Piece {
    const start = this.i;
    const first = this.selector();
    if (!first) this.fail(this.rest());
    const sel = [first];
    while (this.peek() === '.') {
      this.next();
      const s = this.selector();
      if (!s) this.fail(`${this.tokens.slice(start, this.i).join(' ')} ${this.rest()}`);
      sel.push(s);
    }
    let mask: number | null = null;
    if (this.peek() === 'and') {
      if (sel.length !== 1 || first.kind !== 'mark') this.fail(this.tokens.slice(start, this.i + 1).join(' '));
      this.next();
      mask = parseNumber(this.next(), 'mask', this.text);
    }
    if (this.peek() === 'set') {
      if (sel.length !== 1 || first.kind !== 'mark' || mask !== null) this.fail(`${this.tokens.slice(start, this.i + 1).join(' ')}`);
      this.next();
      return this.markSet();
    }
    if (this.peek() === 'vmap') {
      this.next();
      const map = this.next();
      if (!map?.startsWith('@')) this.fail(`vmap ${map ?? ''} (only named verdict maps are modelled here)`);
      return { kind: 'vmap', sel, map: map.slice(1) };
    }
    let negated = false;
    if (this.peek() === '!=') { negated = true; this.next(); }
    else if (this.peek() === '==') this.next();
    const v = this.peek();
    if (v === undefined) this.fail(`${this.tokens.slice(start).join(' ')} (no value)`);
    if (v.startsWith('@')) {
      this.next();
      return { kind: 'cmp', sel, mask, negated, value: { set: v.slice(1) } };
    }
    if (sel.length !== 1) this.fail(`${this.tokens.slice(start, this.i).join(' ')} compared with a literal`);
    if (v === '{') {
      const anon = this.bracedGroups().map(g => {
        if (g.length !== 1) this.fail(`{ ${g.join(' ')} }`);
        return this.literal(first, g[0]!);
      });
      return { kind: 'cmp', sel, mask, negated, value: { anon } };
    }
    this.next();
    return { kind: 'cmp', sel, mask, negated, value: { literal: this.literal(first, v) } };
  }

  private markSet(): Piece {
    if (this.peek() === 'mark' || (this.peek() === 'meta' && this.peek(1) === 'mark')) {
      this.i += this.peek() === 'mark' ? 1 : 2;
      const op = this.next();
      if (op !== 'or' && op !== 'xor' && op !== 'and') this.fail(`mark set mark ${op ?? ''}`);
      return { kind: 'markset', op, value: parseNumber(this.next(), 'mark', this.text) };
    }
    return { kind: 'markset', op: 'set', value: parseNumber(this.next(), 'mark', this.text) };
  }

  private literal(sel: Selector, token: string): Literal {
    switch (sel.kind) {
      case 'addr': {
        const want = this.family === 'ip' ? 'IPv4' : 'IPv6';
        const ip = parseIP(token);
        const cidr = ip ? { ip, prefix: ip.family === 'IPv4' ? 32 : 128 } : parseCIDR(token);
        if (!cidr || cidr.ip.family !== want) this.fail(`address "${token}" in an ${this.family} table`);
        return { kind: 'cidr', cidr };
      }
      case 'l4proto': {
        const proto = PROTO_NUMBERS[token] ?? token;
        if (!PROTO_NAMES.has(proto)) this.fail(`meta l4proto ${token}`);
        return { kind: 'proto', proto };
      }
      case 'port': case 'mark': {
        const m = /^(\w+)(?:-(\w+))?$/.exec(token);
        if (!m) this.fail(`value "${token}"`);
        const lo = parseNumber(m[1], 'value', this.text);
        return { kind: 'range', lo, hi: m[2] !== undefined ? parseNumber(m[2], 'value', this.text) : lo };
      }
    }
  }

  /** `a,b` (no spaces) or a single word. */
  private commaList(): string[] {
    const out = [this.next() ?? this.fail('(missing value)')];
    while (this.peek() === ',') { this.next(); out.push(this.next() ?? this.fail('(missing value)')); }
    return out;
  }

  /** `{ a , b }`: the words, commas dropped. */
  private braced(): string[] {
    return this.bracedGroups().flat();
  }

  /** `{ w w , w w }`: the comma-separated groups of words. */
  private bracedGroups(): string[][] {
    this.expect('{');
    const groups: string[][] = [[]];
    for (;;) {
      const t = this.next();
      if (t === undefined) this.fail('{ … (unterminated)');
      if (t === '}') break;
      if (t === '{') this.fail('nested { }');
      if (t === ',') groups.push([]);
      else groups.at(-1)!.push(t);
    }
    const out = groups.filter(g => g.length > 0);
    if (out.length !== groups.length && groups.length > 1) this.fail('{ …, , … } (empty element)');
    return out;
  }
}

function parseVerdict(words: readonly string[], rule: string): Verdict {
  const [w, chain, extra] = words;
  if (extra === undefined) {
    switch (w) {
      case 'accept': case 'drop': case 'reject': case 'return': case 'continue':
        if (chain === undefined) return { kind: w };
        break;
      case 'jump': case 'goto':
        if (chain !== undefined) return { kind: w, chain };
        break;
    }
  }
  throw new WalkError(`nftables verdict "${words.join(' ')}" is not modelled by the packet walk (rule: ${rule})`);
}

function verdictEffect(v: Verdict, branch?: NumgenBranch): HopEffect {
  const b = branch ? { branch } : {};
  switch (v.kind) {
    case 'jump': case 'goto': return { kind: 'jump', chain: v.chain, goto: v.kind === 'goto', ...b };
    case 'return': return { kind: 'return' };
    case 'continue': return { kind: 'continue', ...b };
    default: return { kind: 'verdict', verdict: v.kind === 'accept' ? 'ACCEPT' : v.kind === 'drop' ? 'DROP' : 'REJECT', ...b };
  }
}

// ----------------------------------------------------------------------------------------- lookup

/** A set or map, with an index by exact key (kube-proxy's sets hold exact addresses, protocols and ports). */
class Container {
  /** By the selector kinds of the lookup; null when some element is a CIDR or a range (scan instead). */
  private readonly indexes = new Map<string, Map<string, NftElement> | null>();

  constructor(readonly set: NftSet) {}

  find(sel: readonly Selector[], key: readonly (string | number)[], rule: string): NftElement | undefined {
    const signature = sel.map(s => s.kind).join('.');
    let index = this.indexes.get(signature);
    if (index === undefined) {
      const bad = this.set.elements.find(e => e.key.length !== sel.length);
      if (bad) throw new WalkError(`${this.set.kind} @${this.set.name} holds keys of ${bad.key.length} fields (${bad.key.join(' . ')}), the rule looks up ${sel.length} (rule: ${rule})`);
      index = this.set.flags?.includes('interval') || !this.set.elements.every(e => e.key.every(isExact)) ? null
        : new Map(this.set.elements.map(e => [e.key.map((f, i) => normalizeField(sel[i]!, f)).join(' . '), e] as const));
      this.indexes.set(signature, index);
    }
    if (index) return index.get(key.map((k, i) => normalizeField(sel[i]!, String(k))).join(' . '));
    return this.set.elements.find(e => e.key.every((field, i) => fieldMatches(sel[i]!, field, key[i]!)));
  }
}

function isExact(field: string): boolean {
  return !field.includes('/') && !/^\w+-\w+$/.test(field);
}

function normalizeField(sel: Selector, value: string): string {
  switch (sel.kind) {
    case 'addr': return canonicalIP(value) ?? value;
    case 'l4proto': return PROTO_NUMBERS[value] ?? value;
    case 'port': case 'mark': return /^(0x[0-9a-fA-F]+|\d+)$/.test(value) ? String(Number(value)) : value;
  }
}

function fieldMatches(sel: Selector, field: string, value: string | number): boolean {
  switch (sel.kind) {
    case 'addr': {
      const ip = parseIP(String(value));
      const f = parseIP(field);
      const cidr = f ? { ip: f, prefix: f.family === 'IPv4' ? 32 : 128 } : parseCIDR(field);
      if (!cidr) throw new WalkError(`set element "${field}" is not an address or CIDR the walk reads`);
      return ip !== null && cidrContains(cidr, ip);
    }
    case 'l4proto': return (PROTO_NUMBERS[field] ?? field) === value;
    case 'port': case 'mark': {
      const m = /^(0x[0-9a-fA-F]+|\d+)(?:-(0x[0-9a-fA-F]+|\d+))?$/.exec(field);
      if (!m) throw new WalkError(`set element "${field}" is not a number or range the walk reads`);
      return Number(value) >= Number(m[1]) && Number(value) <= Number(m[2] ?? m[1]);
    }
  }
}

// -------------------------------------------------------------------------------------- execution

const HOOKS: Record<Hook, NftBaseChain['hook']> = {
  PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting',
};

/** How a chain ended for one branch: fell off its end or `return`ed, or a final verdict for the base chain. */
export type ChainEnd = { state: ConnState; kind: 'return' | 'accept' | 'drop' | 'reject' };

/** One branch of a matched rule: its state after the statements, and what happens next. */
type RuleBranch = { state: ConnState; next: Verdict | null; effects: HopEffect[] };

interface Context { readonly hook: Hook; readonly table: Table }

export class NftRules implements NodeProgram {
  private readonly chains = new Map<string, CompiledRule[]>();
  private readonly containers = new Map<string, Container>();
  private readonly baseChains: { name: string; base: NftBaseChain }[] = [];
  private readonly ipCache = new Map<string, IP | null>();
  private readonly endpointChains = new Map<string, { ip: string; shape: string } | null>();
  private destinations: { exact: Set<string>; cidrs: CIDR[] } | null = null;
  readonly table: NftTable;

  /**
   * `pasted`: the table comes from a node's dump, not from the generator: a rule outside the vocabulary
   * stops the walk where a packet reaches it, instead of refusing the whole table.
   */
  constructor(readonly node: NodeNetwork, readonly ruleset: NftablesRuleset, readonly pasted = false) {
    const table = ruleset.table;
    this.table = table;
    // line of every rule in the dump: the n-th "rule" line of a chain is its n-th rule
    const lineOf = new Map<string, number[]>();
    ruleset.lines.forEach((l, i) => {
      if (l.kind === 'rule' && l.object !== null) (lineOf.get(l.object) ?? lineOf.set(l.object, []).get(l.object)!).push(i);
    });
    for (const c of table.chains.values()) {
      const lines = lineOf.get(c.name) ?? [];
      if (lines.length !== c.rules.length) throw new WalkError(`chain ${c.name}: ${c.rules.length} rules but ${lines.length} rule lines in the dump`);
      this.chains.set(c.name, c.rules.map((r, k) => {
        const text = ruleset.lines[lines[k]!]!.text;
        const expected = `add rule ${table.family} ${table.name} ${c.name} ${r.rule}${r.comment !== undefined ? ` comment "${r.comment}"` : ''}`;
        if (text !== expected) throw new WalkError(`the dump's line ${lines[k]} ("${text}") is not rule ${k} of chain ${c.name} ("${r.rule}")`);
        try {
          return { chain: c.name, line: lines[k]!, text, pieces: new RuleParser(r.rule, table.family).parse() };
        } catch (e) {
          if (!pasted || !(e instanceof WalkError)) throw e;
          return { chain: c.name, line: lines[k]!, text, pieces: [], unreadable: e.message };
        }
      }));
      if (c.base) this.baseChains.push({ name: c.name, base: c.base });
    }
    for (const s of [...table.sets.values(), ...table.maps.values()]) this.containers.set(s.name, new Container(s));
    // every reference resolves now, so a walk never meets a dangling name
    for (const rules of this.chains.values()) for (const r of rules) for (const p of r.pieces) {
      // (an unreadable rule has no pieces)
      const verdicts = p.kind === 'verdict' ? [p.verdict] : p.kind === 'numgen' ? [...p.entries.values()] : [];
      for (const v of verdicts) if ((v.kind === 'jump' || v.kind === 'goto') && !this.chains.has(v.chain)) throw new WalkError(`rule jumps to chain ${v.chain}, which does not exist (${r.text})`);
      const name = p.kind === 'vmap' ? p.map : p.kind === 'update' ? p.set : p.kind === 'cmp' && 'set' in p.value ? p.value.set : null;
      if (name !== null && !this.containers.has(name)) throw new WalkError(`rule refers to @${name}, which does not exist (${r.text})`);
      if (p.kind === 'vmap') {
        const m = this.containers.get(p.map)!.set;
        if (m.kind !== 'map' || !m.type.endsWith(': verdict')) throw new WalkError(`vmap @${p.map} is not a verdict map (${r.text})`);
        for (const e of m.elements) {
          const v = parseVerdict((e.value ?? []).join(' . ').split(' '), `element ${e.key.join(' . ')} of @${m.name}`);
          if ((v.kind === 'jump' || v.kind === 'goto') && !this.chains.has(v.chain)) throw new WalkError(`element ${e.key.join(' . ')} of @${m.name} jumps to chain ${v.chain}, which does not exist`);
        }
      }
    }
    // kernel order at a hook: by priority; equal priorities keep the table's order
    this.baseChains.sort((a, b) => a.base.priority - b.base.priority);
  }

  runHook(hook: Hook, state: ConnState): TableOutcome[] {
    // an ip table sees IPv4 packets only, an ip6 table IPv6 only
    const family = this.ip(state.packet.dst)?.family;
    if (family !== (this.table.family === 'ip' ? 'IPv4' : 'IPv6')) return [{ state, verdict: 'ACCEPT' }];
    let pending: TableOutcome[] = [{ state, verdict: 'ACCEPT' }];
    for (const { name, base } of this.baseChains) {
      if (base.hook !== HOOKS[hook] || (base.type === 'nat' && state.natBound)) continue;
      pending = pending.flatMap(o => (o.verdict !== 'ACCEPT' ? [o] : this.runBaseChain(hook, name, o.state).map(e => ({
        state: e.state,
        // falling off a base chain applies its policy: kube-proxy's base chains accept
        verdict: e.kind === 'drop' ? 'DROP' as const : e.kind === 'reject' ? 'REJECT' as const : 'ACCEPT' as const,
      }))));
    }
    return pending;
  }

  /** The base chains of this table, in the kernel's order at a hook (by priority). */
  baseChainsAt(hook: Hook): readonly { name: string; base: NftBaseChain }[] {
    return this.baseChains.filter(b => b.base.hook === HOOKS[hook]);
  }

  /** One base chain at a hook; 'return' means the packet fell off it (its policy applies). */
  runBaseChain(hook: Hook, name: string, state: ConnState): ChainEnd[] {
    const base = this.baseChains.find(b => b.name === name);
    if (!base) throw new WalkError(`${name} is not a base chain of table ${this.table.name}`);
    return this.runChain({ hook, table: base.base.type }, name, state, 0);
  }

  private ip(text: string): IP | null {
    let ip = this.ipCache.get(text);
    if (ip === undefined) this.ipCache.set(text, (ip = parseIP(text)));
    return ip;
  }

  private runChain(ctx: Context, chain: string, state: ConnState, depth: number): ChainEnd[] {
    if (depth > 32) throw new WalkError(`chain nesting deeper than 32 at ${chain}`);
    const rules = this.chains.get(chain);
    if (!rules) throw new WalkError(`jump to chain ${chain}, which does not exist`);
    const groups = new Map<string, BranchGroup>();
    return runChainRules<ConnState, ChainEnd>(state, {
      rules: rules.length,
      onRule: (i, s) => {
        const rule = rules[i]!;
        const branches = this.evalRule(rule, s);
        if (branches === null) return null;
        const out: RuleOutcome<ConnState, ChainEnd>[] = [];
        for (const b of branches) {
          // a verdict map without this key: the rule does not match (this branch goes on, unrecorded)
          if (b.next === null) { out.push({ next: b.state }); continue; }
          const v = b.next;
          const endpoint = b.state.grouping && !b.state.group && (v.kind === 'jump' || v.kind === 'goto') ? this.endpointChain(v.chain) : null;
          const walked = endpoint ? joinBranch(groups, endpoint.shape, endpoint.ip, b.state, this.node.name) : b.state;
          if (walked === null) continue;
          const after = this.hop(ctx, rule, s, walked, b.effects);
          switch (v.kind) {
            case 'continue': out.push({ next: after }); break;
            case 'return': out.push({ end: { state: after, kind: 'return' } }); break;
            case 'accept': case 'drop': case 'reject': out.push({ end: { state: after, kind: v.kind } }); break;
            case 'jump': case 'goto':
              for (const e of this.runChain(ctx, v.chain, after, depth + 1)) {
                out.push(e.kind === 'return' && v.kind === 'jump' ? { next: e.state } : { end: e });
              }
              break;
          }
        }
        return out;
      },
      fallOff: s => ({ state: s, kind: 'return' }),
    });
  }

  /** An endpoint chain (its last rule its only DNAT, no affinity set updated): its address and shape (see joinBranch). */
  private endpointChain(name: string): { ip: string; shape: string } | null {
    let found = this.endpointChains.get(name);
    if (found === undefined) {
      const rules = this.chains.get(name) ?? [];
      const dnat = rules.at(-1)?.pieces.at(-1);
      const plain = rules.every((r, k) => r.pieces.every(p => p.kind !== 'update' && (p.kind !== 'dnat' || k === rules.length - 1)));
      found = dnat?.kind === 'dnat' && plain ? { ip: dnat.ip, shape: endpointShape(rules.map(r => r.text), name, dnat.ip) } : null;
      this.endpointChains.set(name, found);
    }
    return found;
  }

  destinationClass(ip: string): string {
    if (!this.destinations) {
      const exact = new Set<string>();
      const cidrs: CIDR[] = [];
      const add = (field: string) => {
        const host = parseIP(field);
        if (host) exact.add(canonicalIP(field) ?? field);
        else { const c = parseCIDR(field); if (c) cidrs.push(c); }
      };
      for (const rules of this.chains.values()) for (const r of rules) for (const p of r.pieces) {
        if (p.kind !== 'cmp' && p.kind !== 'vmap') continue;
        p.sel.forEach((sel, k) => {
          if (sel.kind !== 'addr' || sel.which !== 'daddr') return;
          const container = p.kind === 'vmap' ? p.map : 'set' in p.value ? p.value.set : null;
          if (container !== null) for (const e of this.containers.get(container)!.set.elements) add(e.key[k] ?? '');
          else if (p.kind === 'cmp') for (const l of 'anon' in p.value ? p.value.anon : 'literal' in p.value ? [p.value.literal] : []) if (l.kind === 'cidr') cidrs.push(l.cidr);
        });
      }
      this.destinations = { exact, cidrs };
    }
    const addr = this.ip(ip);
    const { exact, cidrs } = this.destinations;
    return `${exact.has(canonicalIP(ip) ?? ip) ? ip : ''}|${cidrs.map(c => (addr !== null && cidrContains(c, addr) ? 1 : 0)).join('')}`;
  }

  private hop(ctx: Context, rule: CompiledRule, before: ConnState, after: ConnState, effects: HopEffect[]): ConnState {
    const hop = makeHop({
      node: this.node.name, hook: ctx.hook, table: ctx.table, chain: rule.chain, line: rule.line,
      rule: rule.text, effects, before: before.packet, after: after.packet, mark: after.mark,
    });
    return { ...after, hops: [...before.hops, hop] };
  }

  /** null: the rule does not match. Otherwise its branches (one, or one per numgen value). */
  private evalRule(rule: CompiledRule, start: ConnState): RuleBranch[] | null {
    if (rule.unreadable !== undefined) throw new WalkError(rule.unreadable);
    let state = start;
    const effects: HopEffect[] = [];
    // `meta random` matched with some probability: the rest goes on at the next rule
    let missed: RuleBranch | null = null;
    const done = (next: Verdict, last?: HopEffect): RuleBranch[] => [{ state, next, effects: [...effects, ...(last ? [last] : [])] }, ...(missed ? [missed] : [])];
    for (const p of rule.pieces) {
      switch (p.kind) {
        case 'random':
          if (p.probability <= 0) return null;
          if (p.probability < 1) {
            missed = { state: { ...start, probability: start.probability * (1 - p.probability) }, next: null, effects: [] };
            state = { ...state, probability: state.probability * p.probability };
          }
          break;
        case 'iface': {
          const name = p.which === 'in' ? (state.inInterface === undefined ? '' : state.inInterface) : state.outInterface ?? null;
          if (name === null) throw new WalkError(`the rule matches the ${p.which === 'in' ? 'incoming' : 'outgoing'} interface (${p.negated ? '!= ' : ''}"${p.name}"): give --${p.which}-iface`);
          if (!interfaceNameMatches(p.name, name, p.negated)) return null;
          break;
        }
        case 'snat': {
          state = { ...state, packet: { ...state.packet, src: p.ip, sport: p.port ?? state.packet.sport } };
          // kube-proxy only masquerades: an SNAT statement in a pasted table is another owner's
          return done({ kind: 'accept' }, { kind: 'snat', how: 'SNAT', to: p.to, owner: 'cni' });
        }
        case 'cmp': {
          const hit = this.compare(p, state, rule);
          if (!hit) return null;
          if (hit === 'remembered') effects.push({ kind: 'affinity-hit', list: (p.value as { set: string }).set });
          break;
        }
        case 'fib': if (this.node.isLocal(p.which === 'saddr' ? state.packet.src : state.packet.dst) === p.negated) return null; break;
        // the walk follows the first packet of a connection
        case 'ctstate': if (p.states.includes('new') === p.negated) return null; break;
        case 'markset': {
          const m = state.mark;
          const mark = (p.op === 'set' ? p.value : p.op === 'or' ? m | p.value : p.op === 'xor' ? m ^ p.value : m & p.value) >>> 0;
          state = { ...state, mark };
          effects.push({ kind: 'mark', result: mark });
          break;
        }
        case 'update':
          effects.push({ kind: 'affinity-record', list: p.set, address: state.packet.src, store: 'set' });
          state = remember(state, this.node.name, p.set, state.packet.src);
          break;
        case 'dnat': {
          state = { ...state, packet: { ...state.packet, dst: p.ip, dport: p.port ?? state.packet.dport }, dnat: true };
          return done({ kind: 'accept' }, { kind: 'dnat', to: p.to });
        }
        case 'masquerade': {
          const masq = this.node.masqueradeSource(state.packet.dst);
          const src = masq.address;
          // fully-random: the kernel also picks a random source port (shown as port 0, "*")
          state = { ...state, packet: { ...state.packet, src, sport: p.randomPort ? 0 : state.packet.sport }, masqueradedTo: src };
          return done({ kind: 'accept' }, masqueradeEffect(masq));
        }
        case 'verdict': return done(p.verdict, verdictEffect(p.verdict));
        case 'vmap': {
          const key = p.sel.map(s => this.read(s, state));
          if (key.some(k => k === null)) return null;
          const e = this.containers.get(p.map)!.find(p.sel, key as (string | number)[], rule.text);
          if (!e) return null;
          const v = parseVerdict((e.value ?? []).join(' . ').split(' '), `${rule.text}, element ${e.key.join(' . ')}`);
          return done(v, verdictEffect(v));
        }
        case 'numgen': {
          const branches: RuleBranch[] = [];
          let missing = 0;
          for (let k = 0; k < p.mod; k++) {
            const v = p.entries.get(k + p.offset);
            if (!v) { missing++; continue; }
            branches.push({
              state: { ...state, probability: state.probability / p.mod }, next: v,
              effects: [...effects, verdictEffect(v, { value: k + p.offset, of: p.mod })],
            });
          }
          if (branches.length === 0) return null;
          if (missing > 0) branches.push({ state: { ...start, probability: start.probability * missing / p.mod }, next: null, effects: [] });
          return branches;
        }
      }
    }
    return done({ kind: 'continue' }, effects.length ? undefined : { kind: 'match' });
  }

  /** The packet's value for a selector; null when the packet has no such field (another protocol). */
  private read(sel: Selector, state: ConnState): string | number | null {
    const p = state.packet;
    switch (sel.kind) {
      case 'addr': return sel.which === 'saddr' ? p.src : p.dst;
      case 'l4proto': return p.proto;
      case 'port': return sel.proto !== null && sel.proto !== p.proto ? null : sel.which === 'sport' ? p.sport : p.dport;
      case 'mark': return state.mark;
    }
  }

  /** Does the comparison hold; 'remembered' when it holds because an earlier connection updated the set (session affinity). */
  private compare(p: Extract<Piece, { kind: 'cmp' }>, state: ConnState, rule: CompiledRule): boolean | 'remembered' {
    const values = p.sel.map(s => this.read(s, state));
    // a missing field (e.g. `tcp dport` on a udp packet) fails the match, negated or not
    if (values.some(v => v === null)) return false;
    if (p.mask !== null) values[0] = ((values[0] as number) & p.mask) >>> 0;
    let hit: boolean;
    if ('set' in p.value) {
      if (this.containers.get(p.value.set)!.find(p.sel, values as (string | number)[], rule.text) !== undefined) return !p.negated;
      // a dynamic set (session affinity) also holds what `update` recorded for an earlier connection
      const remembered = values.length === 1 && (state.affinity?.has(affinityEntry(this.node.name, p.value.set, String(values[0]))) ?? false);
      if (remembered && !p.negated) return 'remembered';
      hit = remembered;
    } else {
      const literals = 'anon' in p.value ? p.value.anon : [p.value.literal];
      hit = literals.some(l => this.literalMatches(l, values[0]!));
    }
    return hit !== p.negated;
  }

  private literalMatches(l: Literal, value: string | number): boolean {
    switch (l.kind) {
      case 'cidr': { const ip = this.ip(String(value)); return ip !== null && cidrContains(l.cidr, ip); }
      case 'proto': return l.proto === value;
      case 'range': return Number(value) >= l.lo && Number(value) <= l.hi;
    }
  }
}

/** kube-proxy's nftables table for the node, generated from the model. */
export const nftablesProgram: ProgramFactory = (model, node, network) => new NftRules(network, generateNftables(model, { nodeName: node.name }));
