// `nft list ruleset` (or `nft list table …`) as pasted from a node: tables, chains with their hook,
// priority and policy, rules as printed (counters, handles and comments split off), sets and maps
// with their elements (which may span lines).

export type NftDumpFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface NftDumpRule {
  /** The rule as printed, without `counter packets N bytes M`, ` comment "…"` and `# handle N`. */
  readonly text: string;
  readonly comment: string | null;
  readonly counters: { readonly packets: number; readonly bytes: number } | null;
  readonly line: number;
}

export interface NftDumpChain {
  readonly name: string;
  readonly base: { readonly type: string; readonly hook: string; readonly priority: number | null; readonly priorityText: string; readonly policy: string } | null;
  readonly comment: string | null;
  readonly rules: NftDumpRule[];
  readonly line: number;
}

export interface NftDumpSet {
  readonly kind: 'set' | 'map';
  readonly name: string;
  readonly type: string;
  readonly flags: readonly string[];
  readonly comment: string | null;
  /** Elements as printed between `elements = {` and `}`, split at top-level commas. */
  readonly elements: string[];
  readonly line: number;
}

export interface NftDumpTable {
  readonly family: NftDumpFamily;
  readonly name: string;
  readonly comment: string | null;
  readonly chains: Map<string, NftDumpChain>;
  readonly sets: Map<string, NftDumpSet>;
  readonly line: number;
}

const TABLE = /^table\s+(ip|ip6|inet|arp|bridge|netdev)\s+(\S+)\s*\{$/;
/** Standard priority names (nft(8) "PRIORITY" table), for the families kube-proxy and iptables-nft use. */
const PRIORITY_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };

export function isNftTableStart(text: string): boolean {
  return TABLE.test(withoutHandle(text));
}

/** `nft -a` appends `# handle N` to tables, chains and rules. */
function withoutHandle(text: string): string {
  return text.replace(/\s*#\s*handle\s+\d+\s*$/, '');
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** `dstnat - 10`, `-110`, `filter` → a number (null when unknown). */
function priorityValue(text: string): number | null {
  const m = /^(-?\d+)$/.exec(text) ?? null;
  if (m) return Number(m[1]);
  const n = /^([a-z]+)\s*(?:([+-])\s*(\d+))?$/.exec(text);
  if (!n || PRIORITY_NAMES[n[1]!] === undefined) return null;
  return PRIORITY_NAMES[n[1]!]! + (n[2] ? (n[2] === '-' ? -1 : 1) * Number(n[3]) : 0);
}

/** Splits text at commas that are not inside braces or quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, cur = '';
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && ch === '{') depth++;
    if (!quoted && ch === '}') depth--;
    if (!quoted && depth === 0 && ch === ',') { if (cur.trim()) out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Reads one `table … { … }` block line by line; `accept` returns false once the table has closed. */
export class NftDumpReader {
  readonly tables: NftDumpTable[] = [];
  private table: NftDumpTable | null = null;
  private chain: NftDumpChain | null = null;
  private set: NftDumpSet | null = null;
  /** Collecting a multi-line `elements = { …` until its closing brace. */
  private elements: { text: string; depth: number } | null = null;

  constructor(private readonly unknown: { line: number; text: string; reason: string }[]) {}

  get open(): boolean {
    return this.table !== null;
  }

  accept(pasted: string, line: number): boolean {
    const text = withoutHandle(pasted);
    const start = TABLE.exec(text);
    if (start) {
      this.table = { family: start[1] as NftDumpFamily, name: start[2]!, comment: null, chains: new Map(), sets: new Map(), line };
      this.tables.push(this.table);
      this.chain = this.set = null;
      return true;
    }
    const table = this.table;
    if (!table) return false;
    if (this.elements) { this.collectElements(text); return true; }
    if (text === '' || text.startsWith('#')) return true;
    if (text === '}') {
      if (this.chain || this.set) this.chain = this.set = null;
      else this.table = null;
      return true;
    }
    const chain = /^chain\s+(\S+)\s*\{$/.exec(text);
    if (chain) { this.chain = { name: chain[1]!, base: null, comment: null, rules: [], line }; table.chains.set(this.chain.name, this.chain); return true; }
    const set = /^(set|map)\s+(\S+)\s*\{$/.exec(text);
    if (set) {
      this.set = { kind: set[1] as 'set' | 'map', name: set[2]!, type: '', flags: [], comment: null, elements: [], line };
      table.sets.set(this.set.name, this.set);
      return true;
    }
    if (/^(flowtable|ct\s+\w+|counter|quota|limit|synproxy|secmark)\s+\S+\s*\{$/.test(text)) {
      this.unknown.push({ line, text, reason: 'nft object kind not read (only chains, sets and maps are)' });
      // read its body as a set that no rule refers to, so that its closing brace matches
      this.set = { kind: 'set', name: `(${text})`, type: '', flags: [], comment: null, elements: [], line };
      return true;
    }
    const comment = /^comment\s+(".*")$/.exec(text);
    if (comment) {
      const value = unquote(comment[1]!);
      if (this.chain) this.chain = this.replaceChain({ ...this.chain, comment: value });
      else if (this.set) this.set = this.replaceSet({ ...this.set, comment: value });
      else this.table = this.replaceTable({ ...table, comment: value });
      return true;
    }
    if (this.set) return this.setLine(text, line);
    if (this.chain) {
      const base = /^type\s+(\w+)\s+hook\s+(\w+)(?:\s+device\s+\S+)?\s+priority\s+([^;]+);(?:\s*policy\s+(\w+);)?$/.exec(text);
      if (base) {
        this.chain = this.replaceChain({ ...this.chain, base: { type: base[1]!, hook: base[2]!, priority: priorityValue(base[3]!.trim()), priorityText: base[3]!.trim(), policy: base[4] ?? 'accept' } });
        return true;
      }
      const policy = /^policy\s+(\w+);$/.exec(text);
      if (policy && this.chain.base) { this.chain = this.replaceChain({ ...this.chain, base: { ...this.chain.base, policy: policy[1]! } }); return true; }
      this.chain.rules.push(ruleOf(text, line));
      return true;
    }
    this.unknown.push({ line, text, reason: 'not a chain, set or map of the table' });
    return true;
  }

  private setLine(text: string, line: number): boolean {
    const set = this.set!;
    const type = /^type\s+(.+)$/.exec(text);
    if (type) { this.set = this.replaceSet({ ...set, type: type[1]!.trim() }); return true; }
    if (/^typeof\s+/.test(text)) { this.set = this.replaceSet({ ...set, type: text.replace(/^typeof\s+/, 'typeof ') }); return true; }
    const flags = /^flags\s+(.+)$/.exec(text);
    if (flags) { this.set = this.replaceSet({ ...set, flags: flags[1]!.split(/\s*,\s*/) }); return true; }
    if (/^(timeout|gc-interval|size|policy|auto-merge|counter)\b/.test(text)) return true;
    const elements = /^elements\s*=\s*\{(.*)$/.exec(text);
    if (elements) { this.elements = { text: '', depth: 1 }; this.collectElements(elements[1]!); return true; }
    this.unknown.push({ line, text, reason: `not read in ${set.kind} ${set.name}` });
    return true;
  }

  private collectElements(text: string): void {
    const e = this.elements!;
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '"') quoted = !quoted;
      if (!quoted && ch === '{') e.depth++;
      if (!quoted && ch === '}' && --e.depth === 0) {
        e.text += ' ' + text.slice(0, i);
        this.set!.elements.push(...splitTopLevel(e.text));
        this.elements = null;
        return;
      }
    }
    e.text += ' ' + text;
  }

  private replaceChain(c: NftDumpChain): NftDumpChain {
    this.table!.chains.set(c.name, c);
    return c;
  }

  private replaceSet(s: NftDumpSet): NftDumpSet {
    if (!s.name.startsWith('(')) this.table!.sets.set(s.name, s);
    return s;
  }

  private replaceTable(t: NftDumpTable): NftDumpTable {
    this.tables[this.tables.indexOf(this.table!)] = t;
    return t;
  }
}

function ruleOf(text: string, line: number): NftDumpRule {
  let rest = text;
  let comment: string | null = null;
  const c = /\s+comment\s+"((?:[^"\\]|\\.)*)"\s*$/.exec(rest);
  if (c) { comment = c[1]!; rest = rest.slice(0, c.index); }
  let counters: NftDumpRule['counters'] = null;
  const k = /\s*\bcounter\s+packets\s+(\d+)\s+bytes\s+(\d+)\b/.exec(rest);
  if (k) { counters = { packets: Number(k[1]), bytes: Number(k[2]) }; rest = (rest.slice(0, k.index) + rest.slice(k.index + k[0].length)).replace(/\s+/g, ' ').trim(); }
  return { text: rest.trim(), comment, counters, line };
}
