// `natlens node diff`: a node's kube-proxy rules against what kube-proxy would write for the
// manifests and profile. Both sides are read by the same dump parser and printed by the same
// iptables-save formatter (proxy/iptables/save.ts formatRule), so only real differences remain; in
// nftables mode kube-proxy's table is compared rule by rule and element by element, both sides in
// one canonical nft form.
// Per Service: rules missing on the node, extra ones (stale Services or endpoints), and rules that
// differ in one setting, each explained in one line; and the profile settings the dump implies.
import type { ClusterModel } from '../model/cluster';
import { generateIptables } from '../proxy/iptables/generator';
import { generateNftables, type NftTable } from '../proxy/nftables/generator';
import { formatRule, toIptablesSave } from '../proxy/iptables/save';
import { commentOf, tokenize } from '../proxy/iptables/ruleParser';
import { parseNodeDump, type NodeDump } from './dump';
import { BUILTIN_CHAINS, type DumpTable, type IptablesDump } from './iptablesDump';
import { chainOwner, serviceOfComment } from './owners';
import { nftRuleset, serviceOfChain as serviceOfNftChain } from './nftTrace';

export type DiffKind = 'missing' | 'extra' | 'different';

export interface DiffLine {
  readonly kind: DiffKind;
  readonly table: string;
  readonly chain: string;
  /** The predicted rule (missing, different). */
  readonly expected: string | null;
  /** The node's rule (extra, different), as the dump has it. */
  readonly found: string | null;
  /** 1-based line of `found` in the paste. */
  readonly line: number | null;
  readonly explanation: string;
}

export interface ServiceDiff {
  /** "ns/name:port", or null for kube-proxy's node-wide rules. */
  readonly service: string | null;
  readonly lines: readonly DiffLine[];
}

export interface ImpliedProfile {
  readonly proxyMode: 'iptables' | 'ipvs' | 'nftables' | null;
  readonly masqueradeBit: number | null;
  /** The mark kube-proxy sets when it is not a single bit (0x4d415351: the old userspace layout). */
  readonly masqueradeMark: string | null;
  readonly clusterCIDR: string | null;
  readonly nodePortAddresses: readonly string[] | null;
  readonly iptablesRandomFully: boolean | null;
  /** The same as a profile file (YAML). */
  readonly yaml: string;
}

export interface NodeDiff {
  readonly node: string;
  readonly services: readonly ServiceDiff[];
  readonly implied: ImpliedProfile;
  /** Other rule owners on the node (CNIs, Docker, ...): not part of the prediction. */
  readonly otherOwners: readonly string[];
}

interface Keyed {
  readonly table: string;
  readonly chain: string;
  readonly key: string;
  readonly text: string;
  readonly line: number;
  readonly service: string | null;
}

const SERVICE_CHAIN = /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-/;

function familyName(f: 'ip' | 'ip6'): 'IPv4' | 'IPv6' {
  return f === 'ip' ? 'IPv4' : 'IPv6';
}

/** kube-proxy's rules of a dump, each in iptables-save form with the Service it belongs to. */
function kubeProxyRules(dump: IptablesDump): Keyed[] {
  const out: Keyed[] = [];
  for (const table of dump.tables.values()) {
    const serviceOfChain = chainServices(table);
    for (const chain of table.chains.values()) {
      const own = chainOwner(chain.name);
      for (const r of chain.rules) {
        if (own !== 'kube-proxy' && !(own === 'kernel' && r.parsed.target !== undefined && chainOwner(r.parsed.target) === 'kube-proxy')) continue;
        const key = formatRule(r.parsed, familyName(dump.family));
        const service = serviceOfComment(commentOf(r.parsed)) ?? serviceOfChain.get(chain.name) ?? null;
        out.push({ table: table.name, chain: chain.name, key, text: r.parsed.text, line: r.parsed.line + 1, service });
      }
    }
  }
  return out;
}

/** Service chains (KUBE-SVC-…, KUBE-SEP-…) belong to the Service their rules' comments name. */
function chainServices(table: DumpTable): Map<string, string> {
  const map = new Map<string, string>();
  for (const chain of table.chains.values()) {
    if (!SERVICE_CHAIN.test(chain.name)) continue;
    const named = chain.rules.map(r => serviceOfComment(commentOf(r.parsed))).find(s => s !== null);
    if (named) map.set(chain.name, named);
  }
  return map;
}

/** A DiffLine with the rules it was made from (the editor's diff view places it by them). */
interface Placed {
  readonly service: string | null;
  readonly line: DiffLine;
  readonly expected: Keyed | null;
  readonly found: Keyed | null;
}

interface Comparison {
  readonly actual: readonly Keyed[];
  readonly expected: readonly Keyed[];
  readonly placed: readonly Placed[];
  readonly actualDump: IptablesDump | undefined;
}

/**
 * nft prints a rule otherwise than kube-proxy writes it (nft(8)'s listing): a one-element anonymous
 * set as the element, numbers in hex with padding, `a, b` in verdict maps. Both sides are read in
 * this one form.
 */
function canonicalNft(text: string): string {
  return text
    .replace(/\s+,\s*/g, ', ')
    .replace(/\{ ([^{},]+) \}/g, '$1')
    .replace(/\b0x[0-9a-fA-F]+\b/g, h => String(Number(h)));
}

/** kube-proxy's nftables table as keyed lines: each rule (by chain) and each set or map element (by `@set`). */
function nftLines(table: NftTable, where: (chain: string, k: number) => { text: string; line: number }, elementWhere: (set: string, k: number) => { text: string; line: number }): Keyed[] {
  const out: Keyed[] = [];
  for (const c of table.chains.values()) c.rules.forEach((r, k) => {
    const key = canonicalNft(`${r.rule}${r.comment !== undefined ? ` comment "${r.comment}"` : ''}`);
    const at = where(c.name, k);
    out.push({ table: table.name, chain: c.name, key, text: at.text, line: at.line, service: serviceOfNftChain(c.name) });
  });
  for (const set of [...table.sets.values(), ...table.maps.values()]) set.elements.forEach((e, k) => {
    const key = canonicalNft(`element ${e.key.join(' . ')}${e.value ? ` : ${e.value.join(' . ')}` : ''}`);
    const at = elementWhere(set.name, k);
    const target = /(?:goto|jump) (\S+)/.exec(e.value?.join(' ') ?? '')?.[1];
    out.push({ table: table.name, chain: `@${set.name}`, key, text: at.text, line: at.line, service: (target ? serviceOfNftChain(target) : null) ?? serviceOfComment(e.comment) });
  });
  return out;
}

function compareNft(dump: NodeDump, model: ClusterModel, nodeName: string): { actual: Keyed[]; expected: Keyed[] } {
  const family = model.profile.ipFamily === 'IPv6' ? 'ip6' : 'ip';
  const generated = generateNftables(model, { nodeName }).table;
  const expected = nftLines(generated, (chain, k) => ({ text: generated.chains.get(chain)!.rules[k]!.rule, line: 0 }), (set, k) => {
    const s = generated.sets.get(set) ?? generated.maps.get(set)!;
    const e = s.elements[k]!;
    return { text: `${e.key.join(' . ')}${e.value ? ` : ${e.value.join(' . ')}` : ''}`, line: 0 };
  });
  const pasted = dump.nft.find(t => t.name === 'kube-proxy' && t.family === family);
  if (!pasted) return { actual: [], expected };
  const table = nftRuleset(pasted).ruleset.table;
  const actual = nftLines(table, (chain, k) => {
    const r = pasted.chains.get(chain)!.rules[k]!;
    return { text: r.text, line: r.line + 1 };
  }, (set, k) => ({ text: pasted.sets.get(set)!.elements[k]!, line: pasted.sets.get(set)!.line + 1 }));
  return { actual, expected };
}

function compare(dump: NodeDump, model: ClusterModel, nodeName: string): Comparison {
  const family = model.profile.ipFamily === 'IPv6' ? 'ip6' : 'ip';
  const actualDump = dump.iptables.find(d => d.family === family);
  let actual: Keyed[], expected: Keyed[];
  // the profile's mode decides (its defaults differ per mode); the implied profile names the dump's
  if (model.profile.proxyMode === 'nftables') {
    ({ actual, expected } = compareNft(dump, model, nodeName));
  } else {
    const predicted = parseNodeDump(toIptablesSave(generateIptables(model, { nodeName }), model.profile.ipFamily)).iptables[0]!;
    actual = actualDump ? kubeProxyRules(actualDump) : [];
    // `iptables-save -t nat` shows one table: the others are not compared
    expected = kubeProxyRules(predicted).filter(e => !actualDump?.onlyTable || actualDump.tables.has(e.table));
  }
  const placed: Placed[] = [];
  const remaining = new Map<string, Keyed[]>();
  for (const a of actual) (remaining.get(a.key) ?? remaining.set(a.key, []).get(a.key)!).push(a);
  const missing: Keyed[] = [];
  for (const e of expected) {
    const same = remaining.get(e.key);
    if (same && same.length) same.shift();
    else missing.push(e);
  }
  const extra = [...remaining.values()].flat();
  const predictedServices = new Set(expected.map(e => e.service));
  for (const m of missing) {
    const k = extra.findIndex(x => x.table === m.table && x.chain === m.chain && similar(m.key, x.key));
    if (k >= 0) {
      const x = extra.splice(k, 1)[0]!;
      placed.push({ service: m.service, expected: m, found: x, line: { kind: 'different', table: m.table, chain: m.chain, expected: m.key, found: x.text, line: x.line, explanation: explainDifference(m.key, x.key) } });
    } else {
      placed.push({ service: m.service, expected: m, found: null, line: { kind: 'missing', table: m.table, chain: m.chain, expected: m.key, found: null, line: null, explanation: explainMissing(m, actual) } });
    }
  }
  for (const x of extra) {
    placed.push({ service: x.service, expected: null, found: x, line: { kind: 'extra', table: x.table, chain: x.chain, expected: null, found: x.text, line: x.line, explanation: explainExtra(x, predictedServices) } });
  }
  return { actual, expected, placed, actualDump };
}

export function diffNode(dump: NodeDump, model: ClusterModel, nodeName: string): NodeDiff {
  const { placed, actualDump } = compare(dump, model, nodeName);
  const services = new Map<string | null, DiffLine[]>();
  for (const p of placed) (services.get(p.service) ?? services.set(p.service, []).get(p.service)!).push(p.line);
  const otherOwners = actualDump ? [...new Set([...actualDump.tables.values()].flatMap(t => [...t.chains.keys()].map(chainOwner)))].filter(o => !['kernel', 'kube-proxy', 'kubelet', 'unknown'].includes(o)).sort() : [];
  return {
    node: nodeName,
    services: [...services.entries()].map(([service, lines]) => ({ service, lines })).sort((a, b) => (a.service ?? '').localeCompare(b.service ?? '')),
    implied: impliedProfile(dump),
    otherOwners,
  };
}

/** A line of a diff view side that a DiffLine explains (0-based in that side's text). */
export interface DiffNote {
  readonly line: number;
  readonly kind: DiffKind;
  readonly service: string | null;
  readonly explanation: string;
}

export interface DiffViewSide {
  /** kube-proxy's rules in iptables-save form, tables and chains in one order on both sides. */
  readonly text: string;
  readonly notes: readonly DiffNote[];
}

/** The two sides of the editor's "Compare with prediction": the same rendering, so a line diff shows only real differences. */
export interface DiffView {
  readonly predicted: DiffViewSide;
  readonly node: DiffViewSide;
  readonly diff: NodeDiff;
}

export function diffView(dump: NodeDump, model: ClusterModel, nodeName: string): DiffView {
  const c = compare(dump, model, nodeName);
  const side = (rules: readonly Keyed[], pick: (p: Placed) => Keyed | null): DiffViewSide => {
    const { text, lineOf } = renderRules(rules);
    const notes = c.placed.flatMap(p => {
      const rule = pick(p);
      const line = rule ? lineOf.get(rule) : undefined;
      return line === undefined ? [] : [{ line, kind: p.line.kind, service: p.service, explanation: p.line.explanation }];
    }).sort((a, b) => a.line - b.line);
    return { text, notes };
  };
  return { predicted: side(c.expected, p => p.expected), node: side(c.actual, p => p.found), diff: diffNode(dump, model, nodeName) };
}

const BUILTIN_RANK_NONE = 99;
const TABLE_ORDER = ['raw', 'mangle', 'filter', 'nat', 'security'];

/** Rules by table (kernel order), chain (built-in chains first, then by name, as iptables-save lists them) and rule order. */
function renderRules(rules: readonly Keyed[]): { text: string; lineOf: Map<Keyed, number> } {
  const tables = new Map<string, Map<string, Keyed[]>>();
  for (const r of rules) {
    const chains = tables.get(r.table) ?? tables.set(r.table, new Map()).get(r.table)!;
    (chains.get(r.chain) ?? chains.set(r.chain, []).get(r.chain)!).push(r);
  }
  const rank = (t: string) => { const i = TABLE_ORDER.indexOf(t); return i < 0 ? TABLE_ORDER.length : i; };
  const builtin = (table: string, chain: string) => { const i = (BUILTIN_CHAINS[table] ?? []).indexOf(chain); return i < 0 ? BUILTIN_RANK_NONE : i; };
  const out: string[] = [];
  const lineOf = new Map<Keyed, number>();
  for (const [table, chains] of [...tables.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))) {
    out.push(`*${table}`);
    const names = [...chains.keys()].sort((a, b) => builtin(table, a) - builtin(table, b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const chain of names) for (const r of chains.get(chain)!) { lineOf.set(r, out.length); out.push(r.key); }
    out.push('COMMIT');
  }
  return { text: out.join('\n') + '\n', lineOf };
}

/** Same chain and target, and at most a few words apart: one rule changed, not one removed and another added. */
function similar(a: string, b: string): boolean {
  const ta = words(a), tb = words(b);
  const target = (t: string[]) => t[t.indexOf('-j') + 1];
  if (target(ta) !== target(tb)) return false;
  const diff = wordDiff(ta, tb);
  return diff.removed.length + diff.added.length <= 4;
}

/** A rule's words, kube-proxy's load-balancing match (`-m statistic --mode random --probability P`) taken as one. */
function words(rule: string): string[] {
  const t = tokenize(rule);
  const k = t.findIndex((w, i) => w === '-m' && t[i + 1] === 'statistic');
  if (k < 0 || t[k + 2] !== '--mode' || t[k + 3] !== 'random' || t[k + 4] !== '--probability') return t;
  return [...t.slice(0, k), `statistic:${t[k + 5]}`, ...t.slice(k + 6)];
}

function wordDiff(a: string[], b: string[]): { removed: string[]; added: string[] } {
  const count = (t: string[]) => t.reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>());
  const ca = count(a), cb = count(b);
  const removed = a.filter(w => { const n = cb.get(w) ?? 0; if (n > 0) { cb.set(w, n - 1); return false; } return true; });
  const added = b.filter(w => { const n = ca.get(w) ?? 0; if (n > 0) { ca.set(w, n - 1); return false; } return true; });
  return { removed, added };
}

function explainDifference(expected: string, found: string): string {
  const { removed, added } = wordDiff(words(expected), words(found));
  const share = (ws: string[]) => ws.find(w => w.startsWith('statistic:'))?.slice('statistic:'.length) ?? null;
  if (share(removed) !== null || share(added) !== null) {
    const words = (p: string | null) => (p === null ? 'all' : `a share of ${p}`);
    return `another load-balancing share: the node sends ${words(share(added))} of the connections left at this rule here, the prediction ${words(share(removed))} (the node has another number of endpoints)`;
  }
  const marks = (ws: string[]) => ws.filter(w => /^0x[0-9a-f]+\/0x[0-9a-f]+$/i.test(w));
  if (marks(removed).length && marks(added).length) return `another masquerade mark: ${marks(added).join(' ')} where kube-proxy with this profile writes ${marks(removed).join(' ')} (masqueradeBit)`;
  const cidrs = (ws: string[]) => ws.filter(w => /\/\d+$/.test(w) && w.includes('.') || /:.*\/\d+$/.test(w));
  if (cidrs(removed).length && cidrs(added).length) return `another address range: ${cidrs(added).join(' ')} where the prediction has ${cidrs(removed).join(' ')} (clusterCIDR or nodePortAddresses)`;
  if (added.includes('--random-fully')) return 'MASQUERADE with --random-fully, which the profile does not set (iptablesRandomFully)';
  if (removed.includes('--random-fully')) return 'MASQUERADE without --random-fully, which the profile sets (iptablesRandomFully)';
  return `differs: the node has "${added.join(' ')}" where the prediction has "${removed.join(' ')}"`;
}

function explainMissing(m: Keyed, actual: readonly Keyed[]): string {
  if (m.service && !actual.some(a => a.service === m.service)) return `the node has no rules for ${m.service}: kube-proxy has not synced it (or runs in another mode)`;
  const sep = /^KUBE-SEP-/.test(m.chain);
  const endpoint = (sep ? /--to-destination (\S+)/.exec(m.key) ?? /^-A \S+ -s ([^/\s]+)/.exec(m.key) : /^KUBE-SVC-/.test(m.chain) ? / -> ([^\s"]+)"/.exec(m.key) : null)?.[1];
  if (endpoint) return `endpoint ${endpoint} is missing on the node (not yet synced, or not ready there)`;
  return `missing on the node: ${m.chain} has no such rule`;
}

function explainExtra(x: Keyed, predicted: ReadonlySet<string | null>): string {
  if (x.service && !predicted.has(x.service)) return `stale: ${x.service} is not in the manifests (deleted, or its rules were kept)`;
  const endpoint = /--to-destination (\S+)/.exec(x.key)?.[1];
  if (/^KUBE-SEP-/.test(x.chain) && endpoint) return `extra endpoint ${endpoint}: the manifests no longer have it (stale endpoint)`;
  if (/^KUBE-XLB-/.test(x.chain)) return 'another kube-proxy version\'s layout: KUBE-XLB-* chains (before KUBE-EXT-/KUBE-SVL- in 1.24)';
  if (x.chain === 'KUBE-NODEPORTS' && / -j KUBE-MARK-MASQ$/.test(x.key)) return 'another kube-proxy version\'s layout: masquerade marked in KUBE-NODEPORTS';
  if (/0x4d415351/.test(x.key)) return 'another kube-proxy version\'s layout: the old masquerade mark 0x4d415351';
  return `extra on the node: not in the prediction for ${x.service ?? 'the node-wide chains'}`;
}

export function impliedProfile(dump: NodeDump): ImpliedProfile {
  const v4 = dump.iptables.find(d => d.tables.get('nat'));
  const nat = v4?.tables.get('nat');
  const rules = nat ? [...nat.chains.values()].flatMap(c => c.rules.map(r => ({ chain: c.name, r }))) : [];
  const markRule = rules.find(x => x.chain === 'KUBE-MARK-MASQ' && x.r.parsed.target === 'MARK');
  const markText = markRule?.r.parsed.targetOptions.map(o => o.values[0]).find(v => v !== undefined)?.split('/')[0] ?? null;
  const markValue = markText ? Number(markText) >>> 0 : null;
  const bit = markValue !== null && markValue !== 0 && (markValue & (markValue - 1)) === 0 ? Math.log2(markValue) : null;
  const cidrVotes = new Map<string, number>();
  for (const { chain, r } of rules) {
    const s = r.parsed.source;
    if (s && ((/^KUBE-SVC-/.test(chain) && s.negated && r.parsed.target === 'KUBE-MARK-MASQ') || (/^KUBE-EXT-/.test(chain) && !s.negated && /^pod traffic/.test(commentOf(r.parsed) ?? '')))) {
      cidrVotes.set(s.value, (cidrVotes.get(s.value) ?? 0) + 1);
    }
  }
  const clusterCIDR = [...cidrVotes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const toNodePorts = rules.filter(x => x.chain === 'KUBE-SERVICES' && x.r.parsed.target === 'KUBE-NODEPORTS');
  const nodePortAddresses = toNodePorts.length === 0 ? null : toNodePorts.some(x => !x.r.parsed.destination) ? [] : toNodePorts.map(x => x.r.parsed.destination!.value);
  const masq = rules.find(x => x.chain === 'KUBE-POSTROUTING' && x.r.parsed.target === 'MASQUERADE');
  const hasKubeNft = dump.nft.some(t => t.name === 'kube-proxy');
  const hasIpvs = dump.ipvs.length > 0 || rules.some(x => /^KUBE-(IPVS|LOAD-BALANCER|LOOP-BACK)/.test(x.chain)) || [...dump.ipsets.keys()].some(k => k.startsWith('KUBE-'));
  const proxyMode = hasIpvs ? 'ipvs' : rules.some(x => /^KUBE-SVC-/.test(x.chain) || x.chain === 'KUBE-SERVICES') ? 'iptables' : hasKubeNft ? 'nftables' : null;
  const implied = {
    proxyMode, masqueradeBit: bit, masqueradeMark: markValue !== null && bit === null ? `0x${markValue.toString(16)}` : null,
    clusterCIDR, nodePortAddresses, iptablesRandomFully: masq ? masq.r.parsed.targetOptions.some(o => o.name === 'random-fully') : null,
  } as const;
  const yaml: string[] = ['# profile settings implied by the node dump (natlens node diff)'];
  if (implied.proxyMode) yaml.push(`proxyMode: ${implied.proxyMode}`);
  if (implied.masqueradeBit !== null) yaml.push(`masqueradeBit: ${implied.masqueradeBit}`);
  if (implied.clusterCIDR) yaml.push(`clusterCIDR: ${implied.clusterCIDR}`);
  if (implied.nodePortAddresses?.length) yaml.push(`nodePortAddresses: [${implied.nodePortAddresses.join(', ')}]`);
  if (implied.iptablesRandomFully !== null) yaml.push(`iptablesRandomFully: ${implied.iptablesRandomFully}`);
  return { ...implied, yaml: yaml.join('\n') + '\n' };
}
