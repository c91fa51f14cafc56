// A node dump: whatever was pasted from one node (iptables-save, nft list ruleset, ipvsadm -Ln,
// ipset save/list, conntrack -L, in any mix and order), read into one model. Lines no reader
// recognises are reported with their line number; nothing here throws on bad input, and every
// reader is line-by-line, so time is linear in the paste.
import { ConntrackDumpReader, isConntrackLine, type ConntrackEntry, type ConntrackFooter } from './conntrackDump';
import { IpsetDumpReader, isIpsetLine, type ImportedIpset } from './ipsetDump';
import { IptablesDumpReader, isIptablesLine, type DumpHints, type IptablesDump, type UnknownLine } from './iptablesDump';
import { IpvsDumpReader, isIpvsLine, type VirtualService } from './ipvsDump';
import { isNftTableStart, NftDumpReader, type NftDumpTable } from './nftDump';
import { grepReadings, parsePrompt, splitLines, type DumpKind, type PromptLine } from './paste';

export interface NodeDump {
  readonly iptables: readonly IptablesDump[];
  readonly nft: readonly NftDumpTable[];
  readonly ipvs: readonly VirtualService[];
  readonly ipsets: ReadonlyMap<string, ImportedIpset>;
  readonly conntrack: readonly ConntrackEntry[];
  readonly conntrackFooters: readonly ConntrackFooter[];
  readonly prompts: readonly PromptLine[];
  /** Lines no reader recognised (0-based `line`), in paste order. */
  readonly unknown: readonly UnknownLine[];
  /** The kinds of output found, in the order they first appear. */
  readonly kinds: readonly DumpKind[];
}

/** Longest line read; longer ones are reported, not parsed (a paste is text, not a binary blob). */
const MAX_LINE = 64 * 1024;

export function parseNodeDump(text: string): NodeDump {
  const unknown: UnknownLine[] = [];
  const iptables = new IptablesDumpReader(unknown);
  const nft = new NftDumpReader(unknown);
  const ipvs = new IpvsDumpReader();
  const ipsets = new IpsetDumpReader();
  const conntrack = new ConntrackDumpReader();
  const prompts: PromptLine[] = [];
  const kinds: DumpKind[] = [];
  let hints: DumpHints = { family: null, table: null, backend: null };
  let current: DumpKind | null = null;
  const found = (k: DumpKind) => { if (!kinds.includes(k)) kinds.push(k); };
  const switchTo = (k: DumpKind | null) => {
    if (current === k) return;
    if (current === 'iptables') iptables.end();
    if (current === 'ipset') ipsets.end();
    current = k;
  };
  for (const l of splitLines(text)) {
    if (l.text.length > MAX_LINE) { unknown.push({ line: l.line, text: l.text.slice(0, 200), reason: `line longer than ${MAX_LINE} characters: not read` }); continue; }
    if (nft.open && nft.accept(l.text, l.line)) continue;
    if (l.text === '') { if (current === 'ipset') ipsets.end(); continue; }
    const prompt = parsePrompt(l.text, l.line);
    if (prompt) {
      prompts.push(prompt);
      switchTo(null);
      hints = { family: prompt.family, table: prompt.table, backend: /legacy/.test(prompt.command) ? 'legacy' : /-nft\b/.test(prompt.command) ? 'nft' : null };
      continue;
    }
    let done = false;
    for (const reading of grepReadings(l.text)) {
      const kind = classify(reading, current);
      if (kind === null) continue;
      switchTo(kind);
      found(kind);
      switch (kind) {
        case 'iptables': done = iptables.accept(reading, l.line, hints); break;
        case 'nft': done = nft.accept(reading, l.line); break;
        case 'ipvsadm': done = ipvs.accept(reading, l.line); break;
        case 'ipset': done = ipsets.accept(reading, l.line); break;
        case 'conntrack': done = conntrack.accept(reading, l.line); break;
      }
      if (done) break;
    }
    if (!done) unknown.push({ line: l.line, text: l.text, reason: 'not a line of iptables-save, nft list ruleset, ipvsadm -Ln, ipset save/list or conntrack -L' });
  }
  iptables.end();
  return {
    iptables: iptables.dumps.filter(d => d.tables.size > 0), nft: nft.tables, ipvs: ipvs.services, ipsets: ipsets.sets,
    conntrack: conntrack.entries, conntrackFooters: conntrack.footers, prompts, unknown, kinds,
  };

  /** The reader for a line: the current one when it fits there (ipset members, ipvsadm servers), else by shape. */
  function classify(t: string, cur: DumpKind | null): DumpKind | null {
    if (cur === 'ipset' && ipsets.accepts(t)) return 'ipset';
    if (cur === 'ipvsadm' && isIpvsLine(t)) return 'ipvsadm';
    if (isIptablesLine(t)) return 'iptables';
    if (isNftTableStart(t)) return 'nft';
    if (isConntrackLine(t)) return 'conntrack';
    if (isIpvsLine(t)) return 'ipvsadm';
    if (isIpsetLine(t)) return 'ipset';
    return null;
  }
}
