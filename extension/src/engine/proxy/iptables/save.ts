// The same rules as `iptables-save` prints them back from the kernel, which is what users compare
// against on a node. iptables normalises on the way in and out (observed with iptables v1.8.9, both
// nft and legacy back ends, and checked by test/kernel): header options first (-s, -d, -i, -o, -p),
// host addresses get a prefix length, MARK becomes --set-xmark, statistic prints the kernel's stored
// probability with 11 decimals, REJECT and recent show their defaults, chains are listed by name.
import { formatCIDR, parseCIDR } from '../../util/ip';
import type { IptablesRuleset, JumpRule, Table } from './generator';
import { parseRestore, type AddressMatch, type ParsedRule, type RuleMatch, type RuleOption } from './ruleParser';

const BUILTIN_CHAINS: Record<Table, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** iptables-save (nft) lists tables in creation order; kube-proxy's first jump creates filter. */
const TABLE_ORDER: Table[] = ['filter', 'nat'];

export function toIptablesSave(ruleset: IptablesRuleset, family: 'IPv4' | 'IPv6'): string {
  const tables = parseRestore(ruleset.payload);
  const out: string[] = [];
  for (const tableName of TABLE_ORDER) {
    const table = tables.find(t => t.name === tableName);
    if (!table) continue;
    const jumps = builtinRules(ruleset.jumps, tableName);
    out.push(`*${tableName}`);
    for (const c of BUILTIN_CHAINS[tableName]) out.push(`:${c} ACCEPT [0:0]`);
    // chains the jumps create exist even when the payload leaves them empty (KUBE-FIREWALL without localhost node ports)
    const userChains = [...new Set([...table.chains.map(c => c.name), ...jumps.map(j => j.target)])].sort(byteOrder);
    for (const c of userChains) out.push(`:${c} - [0:0]`);
    for (const c of BUILTIN_CHAINS[tableName]) out.push(...jumps.filter(j => j.chain === c).map(j => formatRule(parseJump(j), family)));
    const rulesOf = new Map<string, ParsedRule[]>();
    for (const r of table.rules) {
      const list = rulesOf.get(r.chain);
      if (list) list.push(r); else rulesOf.set(r.chain, [r]);
    }
    for (const c of userChains) for (const r of rulesOf.get(c) ?? []) out.push(formatRule(r, family));
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** kube-proxy prepends each jump, so the last one ensured comes first in its chain. */
function builtinRules(jumps: readonly JumpRule[], table: Table): JumpRule[] {
  return jumps.filter(j => j.table === table).reverse();
}

function parseJump(j: JumpRule): ParsedRule {
  const quoted = j.args.map(a => (a.includes(' ') ? `"${a}"` : a));
  return parseRestoreLine(j.table, `-A ${j.chain} ${quoted.join(' ')}`);
}

function parseRestoreLine(table: string, line: string): ParsedRule {
  const [t] = parseRestore(`*${table}\n${line}\nCOMMIT\n`);
  return t!.rules[0]!;
}

function address(a: AddressMatch, flag: string, family: 'IPv4' | 'IPv6'): string {
  const value = a.value.includes('/') ? a.value : `${a.value}/${family === 'IPv4' ? 32 : 128}`;
  const c = parseCIDR(value);
  return `${a.negated ? '! ' : ''}${flag} ${c ? formatCIDR(c) : value}`;
}

export function formatRule(rule: ParsedRule, family: 'IPv4' | 'IPv6'): string {
  const parts = [`-A ${rule.chain}`];
  if (rule.source) parts.push(address(rule.source, '-s', family));
  if (rule.destination) parts.push(address(rule.destination, '-d', family));
  if (rule.inInterface) parts.push(`${rule.inInterface.negated ? '! ' : ''}-i ${rule.inInterface.value}`);
  if (rule.outInterface) parts.push(`${rule.outInterface.negated ? '! ' : ''}-o ${rule.outInterface.value}`);
  if (rule.protocol) parts.push(`${rule.protocol.negated ? '! ' : ''}-p ${rule.protocol.value}`);
  for (const m of rule.matches) parts.push(formatMatch(m, family));
  if (rule.target) parts.push(formatTarget(rule.target, rule.targetOptions, family));
  return parts.join(' ');
}

function opt(o: RuleOption, values: readonly string[] = o.values): string {
  return [o.negated ? '!' : '', `--${o.name}`, ...values].filter(Boolean).join(' ');
}

function quoteComment(text: string): string {
  return /^[A-Za-z0-9_-]+$/.test(text) ? text : `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function hexMark(text: string): string {
  const [value, mask] = text.split('/');
  const hex = (s: string) => '0x' + (Number(s) >>> 0).toString(16);
  return mask === undefined ? hex(value!) : `${hex(value!)}/${hex(mask)}`;
}

function formatMatch(m: RuleMatch, family: 'IPv4' | 'IPv6'): string {
  const head = `-m ${m.module}`;
  const find = (name: string) => m.options.find(o => o.name === name);
  switch (m.module) {
    case 'comment':
      return `${head} --comment ${quoteComment(m.options[0]?.values[0] ?? '')}`;
    case 'mark':
      return [head, ...m.options.map(o => opt(o, o.values.map(hexMark)))].join(' ');
    case 'statistic': {
      const p = find('probability');
      const rest = m.options.filter(o => o.name !== 'probability').map(o => opt(o));
      return [head, ...rest, ...(p ? [opt(p, [savedProbability(p.values[0] ?? '0')])] : [])].join(' ');
    }
    case 'recent': {
      const mode = m.options.find(o => ['set', 'rcheck', 'update', 'remove'].includes(o.name));
      const seconds = find('seconds');
      const reap = find('reap');
      const name = find('name');
      const mask = family === 'IPv4' ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
      return [head, mode ? opt(mode) : '', seconds ? opt(seconds) : '', reap ? opt(reap) : '', `--name ${name?.values[0] ?? 'DEFAULT'}`, `--mask ${mask}`, '--rsource'].filter(Boolean).join(' ');
    }
    default:
      return [head, ...m.options.map(o => opt(o))].join(' ');
  }
}

function formatTarget(target: string, options: readonly RuleOption[], family: 'IPv4' | 'IPv6'): string {
  const find = (name: string) => options.find(o => o.name === name);
  switch (target) {
    case 'MARK': {
      const or = find('or-mark'), xor = find('xor-mark'), set = find('set-mark'), and = find('and-mark');
      const n = (o: RuleOption) => Number(o.values[0]) >>> 0;
      const hex = (v: number) => '0x' + (v >>> 0).toString(16);
      if (or) return `-j MARK --set-xmark ${hex(n(or))}/${hex(n(or))}`;
      if (xor) return `-j MARK --set-xmark ${hex(n(xor))}/0x0`;
      if (set) return `-j MARK --set-xmark ${hex(n(set))}/0xffffffff`;
      if (and) return `-j MARK --set-xmark 0x0/${hex(~n(and))}`;
      return `-j MARK ${options.map(o => opt(o)).join(' ')}`;
    }
    case 'REJECT':
      return options.length ? `-j REJECT ${options.map(o => opt(o)).join(' ')}` : `-j REJECT --reject-with ${family === 'IPv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`;
    default:
      return [`-j ${target}`, ...options.map(o => opt(o))].join(' ');
  }
}

/**
 * xt_statistic keeps round(p * 2^31) as an integer, and iptables-save prints printf("%.11f") of it
 * divided by 2^31 (extensions/libxt_statistic.c). Computed exactly with BigInt, ties to even as glibc.
 */
export function savedProbability(text: string): string {
  const stored = BigInt(Math.round(Number(text) * 0x80000000));
  // stored / 2^31 = stored * 5^31 / 10^31 exactly; keep 11 decimals
  const scaled = stored * 5n ** 31n;
  const unit = 10n ** 20n;
  let q = scaled / unit;
  const r = scaled % unit;
  if (r * 2n > unit || (r * 2n === unit && q % 2n === 1n)) q += 1n;
  const digits = q.toString().padStart(12, '0');
  return `${digits.slice(0, -11)}.${digits.slice(-11)}`;
}
