// Parses iptables-restore text (kube-proxy's payload, or iptables-save output) into rules that the
// save formatter and the packet walk both read. Only the syntax kube-proxy and iptables-save use is
// understood; anything else is reported, not guessed.

export interface RuleOption {
  readonly negated: boolean;
  /** Option name without dashes: "dport", "comment", "probability", ... */
  readonly name: string;
  readonly values: readonly string[];
}

export interface RuleMatch {
  readonly module: string;
  readonly options: readonly RuleOption[];
}

export interface AddressMatch {
  readonly negated: boolean;
  readonly value: string;
}

export interface ParsedRule {
  readonly table: string;
  readonly chain: string;
  readonly source?: AddressMatch;
  readonly destination?: AddressMatch;
  readonly inInterface?: AddressMatch;
  readonly outInterface?: AddressMatch;
  readonly protocol?: AddressMatch;
  readonly matches: readonly RuleMatch[];
  readonly target?: string;
  /** `-g CHAIN`: the chain is gone to, not jumped to (its RETURN returns from this rule's chain). */
  readonly goto?: boolean;
  readonly targetOptions: readonly RuleOption[];
  /** 0-based line in the text it came from. */
  readonly line: number;
  readonly text: string;
}

export interface ParsedTable {
  readonly name: string;
  readonly chains: readonly { name: string; policy: string; line: number }[];
  readonly rules: readonly ParsedRule[];
}

export class RuleSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(`line ${line + 1}: ${message}`);
  }
}

/** Splits on spaces; double-quoted words keep their spaces (quotes removed), as iptables-restore does. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length) break;
    let word = '';
    while (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
      if (text[i] === '"') {
        const end = text.indexOf('"', i + 1);
        if (end < 0) { word += text.slice(i + 1); i = text.length; break; }
        word += text.slice(i + 1, end);
        i = end + 1;
      } else {
        word += text[i++];
      }
    }
    out.push(word);
  }
  return out;
}

const HEADER_OPTIONS: Record<string, 'source' | 'destination' | 'inInterface' | 'outInterface' | 'protocol'> = {
  '-s': 'source', '--source': 'source', '--src': 'source',
  '-d': 'destination', '--destination': 'destination', '--dst': 'destination',
  '-i': 'inInterface', '--in-interface': 'inInterface',
  '-o': 'outInterface', '--out-interface': 'outInterface',
  '-p': 'protocol', '--protocol': 'protocol',
};

export function parseRule(table: string, text: string, line: number): ParsedRule {
  const tokens = tokenize(text);
  if (tokens[0] !== '-A' || !tokens[1]) throw new RuleSyntaxError(`expected "-A CHAIN ...", got "${text.slice(0, 40)}"`, line);
  const rule: { -readonly [K in keyof ParsedRule]: ParsedRule[K] } = { table, chain: tokens[1], matches: [], targetOptions: [], line, text };
  const matches: RuleMatch[] = [];
  let currentOptions: RuleOption[] | null = null;
  let targetOptions: RuleOption[] | null = null;
  let negate = false;
  for (let i = 2; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '!') { negate = true; continue; }
    const header = HEADER_OPTIONS[t];
    if (header && targetOptions === null) {
      rule[header] = { negated: negate, value: tokens[++i] ?? '' };
      negate = false;
      continue;
    }
    if ((t === '-m' || t === '--match') && targetOptions === null) {
      currentOptions = [];
      matches.push({ module: tokens[++i] ?? '', options: currentOptions });
      continue;
    }
    if (t === '-j' || t === '--jump' || t === '-g' || t === '--goto') {
      rule.target = tokens[++i] ?? '';
      if (t === '-g' || t === '--goto') rule.goto = true;
      targetOptions = [];
      currentOptions = null;
      continue;
    }
    if (t.startsWith('--')) {
      const values: string[] = [];
      while (i + 1 < tokens.length && !tokens[i + 1]!.startsWith('-') && tokens[i + 1] !== '!') values.push(tokens[++i]!);
      const option = { negated: negate, name: t.slice(2), values };
      negate = false;
      if (targetOptions) targetOptions.push(option);
      else if (currentOptions) currentOptions.push(option);
      else if (rule.protocol) {
        // an option of the protocol's implicit match (e.g. "-p tcp --dport 80")
        currentOptions = [option];
        matches.push({ module: rule.protocol.value, options: currentOptions });
      } else throw new RuleSyntaxError(`option ${t} outside a match`, line);
      continue;
    }
    throw new RuleSyntaxError(`unexpected "${t}"`, line);
  }
  rule.matches = matches;
  rule.targetOptions = targetOptions ?? [];
  return rule;
}

/** Parses a whole iptables-restore / iptables-save text. */
export function parseRestore(text: string): ParsedTable[] {
  const tables: { name: string; chains: { name: string; policy: string; line: number }[]; rules: ParsedRule[] }[] = [];
  let current: (typeof tables)[number] | undefined;
  text.split('\n').forEach((raw, line) => {
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l === 'COMMIT') return;
    if (l.startsWith('*')) { current = { name: l.slice(1), chains: [], rules: [] }; tables.push(current); return; }
    if (!current) throw new RuleSyntaxError('rule outside a table', line);
    if (l.startsWith(':')) {
      const [name, policy] = l.slice(1).split(' ');
      current.chains.push({ name: name!, policy: policy ?? '-', line });
      return;
    }
    if (l.startsWith('-X ')) return;
    current.rules.push(parseRule(current.name, l, line));
  });
  return tables;
}

export function option(m: RuleMatch | undefined, name: string): RuleOption | undefined {
  return m?.options.find(o => o.name === name);
}

export function findMatch(rule: ParsedRule, module: string): RuleMatch | undefined {
  return rule.matches.find(m => m.module === module);
}

export function commentOf(rule: ParsedRule): string | undefined {
  return option(findMatch(rule, 'comment'), 'comment')?.values[0];
}
