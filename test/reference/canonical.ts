// Canonical order for rulesets read back from the kernel, so that the real kube-proxy's and NAT
// Lens's rules compare line by line: what differs only by map iteration order (kube-proxy walks Go
// maps) or by counters does not count, everything else does.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sortIptablesRules } from '../support/canonical';

/**
 * iptables-save output: comments and counters dropped, then upstream's test sort (sortIptablesRules).
 * The mangle table and the KUBE-PROXY-CANARY chains are kube-proxy's iptables monitor
 * (pkg/util/iptables Monitor, started by pkg/proxy/iptables NewProxier), not part of a sync payload;
 * NAT Lens models the payload, so they are left out here and nowhere else.
 */
export function canonicalIptables(save: string): string {
  const tables: string[] = [];
  let keep = true;
  for (const line of save.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('*')) keep = line !== '*mangle';
    if (!keep) continue;
    if (line === ':KUBE-PROXY-CANARY - [0:0]' || /^:KUBE-PROXY-CANARY /.test(line)) continue;
    tables.push(line.replace(/ \[\d+:\d+\]$/, ' [0:0]'));
  }
  return sortByServicePort(sortIptablesRules(tables.join('\n') + '\n'));
}

/**
 * Chains kube-proxy fills while walking its Go map of service ports (pkg/proxy/iptables/proxier.go
 * syncProxyRules: KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES, KUBE-PROXY-FIREWALL): their
 * order between service ports is random. Upstream's test sort orders them by Service only; this
 * orders them by "namespace/name:port" too (stable, so a port's own rules keep their order).
 */
const MAP_ORDERED = new Set(['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES', 'KUBE-PROXY-FIREWALL']);
const LAST_RULE = '"kubernetes service nodeports; NOTE: this must be the last rule in this chain"';

function sortByServicePort(text: string): string {
  const lines = text.split('\n');
  const portOf = (rule: string) => (/--comment (?:"([^" ]*)|(\S+))/.exec(rule) ?? [])[1] ?? '';
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (let i = 0; i < lines.length;) {
    const chain = /^-A (\S+) /.exec(lines[i]!)?.[1];
    if (!chain || !MAP_ORDERED.has(chain)) { i++; continue; }
    let j = i;
    while (j < lines.length && lines[j]!.startsWith(`-A ${chain} `)) j++;
    const rules = lines.slice(i, j);
    // the tail calls to KUBE-NODEPORTS stay last; with several node port addresses there is one per
    // address, in the order of another Go map (GetNodeIPs)
    const tail = rules.filter(r => r.includes(LAST_RULE)).sort(byText);
    const body = rules.filter(r => !r.includes(LAST_RULE)).map((rule, k) => ({ rule, k, key: portOf(rule) }))
      .sort((a, b) => byText(a.key, b.key) || a.k - b.k).map(r => r.rule);
    lines.splice(i, j - i, ...body, ...tail);
    i = j;
  }
  return lines.join('\n');
}

/** Splits `a, b { c, d }, "e, f"` at the commas outside braces and quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '{') depth++;
    else if (!quoted && c === '}') depth--;
    else if (!quoted && depth === 0 && c === ',') { out.push(text.slice(start, i).trim()); start = i + 1; }
  }
  const last = text.slice(start).trim();
  if (last) out.push(last);
  return out;
}

function braceDelta(line: string): number {
  let d = 0, quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '{') d++;
    else if (!quoted && c === '}') d--;
  }
  return d;
}

/**
 * `nft list table` output: objects (sets, maps, chains) sorted by kind and name, set and map
 * elements one per line and sorted; rule order inside a chain is kept, since it is meaningful.
 */
export function canonicalNft(listing: string): string {
  const lines = listing.split('\n').map(l => l.trim()).filter(l => l !== '');
  const header: string[] = [];
  const objects: { key: string; lines: string[] }[] = [];
  let i = 0;
  const first = lines[i++] ?? '';
  while (i < lines.length) {
    const line = lines[i]!;
    const m = /^(set|map|chain|flowtable|counter|quota|limit) (\S+) \{$/.exec(line);
    if (!m) { if (line !== '}') header.push(line); i++; continue; }
    const body: string[] = [];
    i++;
    for (let depth = 1; i < lines.length; i++) {
      let l = lines[i]!;
      depth += braceDelta(l);
      if (depth === 0) { i++; break; }
      if (l.startsWith('elements = {')) {
        while (braceDelta(l) > 0 && i + 1 < lines.length) { l += ' ' + lines[++i]!; }
        depth = 1;
        const inner = l.slice('elements = {'.length, l.lastIndexOf('}')).trim();
        body.push('elements = {', ...splitTopLevel(inner).sort().map(e => '  ' + e), '}');
        continue;
      }
      body.push(l);
    }
    objects.push({ key: `${m[1]} ${m[2]}`, lines: [`${m[1]} ${m[2]} {`, ...body.map(b => '  ' + b), '}'] });
  }
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return [first, ...header.map(h => '  ' + h), ...objects.flatMap(o => o.lines.map(l => '  ' + l)), '}'].join('\n') + '\n';
}

/** `diff -u` of two texts; '' when they are equal. */
export function unifiedDiff(a: string, b: string, labelA: string, labelB: string): string {
  if (a === b) return '';
  const dir = mkdtempSync(join(tmpdir(), 'natlens-reference-diff-'));
  try {
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    const r = spawnSync('diff', ['-u', '--label', labelA, '--label', labelB, join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
