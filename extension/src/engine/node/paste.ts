// What people paste from a node is rarely one clean dump: shell prompts, `grep -n` prefixes, several
// commands' output one after the other, Windows line ends. This module turns a paste into lines that
// each carry their original line number and, where a prompt names it, the command that printed them.

/** The tool a block of output came from (by the prompt's command, else by the lines' own shape). */
export type DumpKind = 'iptables' | 'nft' | 'ipvsadm' | 'ipset' | 'conntrack';

export interface PasteLine {
  /** 0-based line in the paste. */
  readonly line: number;
  /** The text with grep's file/line prefix, the line end and surrounding blanks removed. */
  readonly text: string;
  /** The text as pasted (only the line end removed), for the leading blanks that ipvsadm/ipset use. */
  readonly raw: string;
}

/** A shell prompt line (`root@node:~# iptables-save -t nat`, `$ sudo nft list ruleset`). */
export interface PromptLine {
  readonly line: number;
  readonly command: string;
  /** The tool the command runs, when it is one the node parser reads. */
  readonly kind: DumpKind | null;
  /** `iptables-save -t nat`: only that table was printed. */
  readonly table: string | null;
  /** ip6tables-save, `nft list ruleset ip6`, `conntrack -f ipv6`. */
  readonly family: 'ip' | 'ip6' | null;
  /** The host a `user@host` prompt names (the node the dump is from), else null. */
  readonly host: string | null;
}

const TOOL_WORDS = /^(?:sudo\s+(?:-\S+\s+)*)?(?:\S*\/)?(iptables|ip6tables|iptables-save|ip6tables-save|iptables-legacy-save|ip6tables-legacy-save|iptables-nft-save|ip6tables-nft-save|iptables-legacy|iptables-nft|nft|ipvsadm|ipset|conntrack|grep|egrep|cat|less|head|tail|kubectl|ssh|crictl|docker|nsenter|ip|watch|sort)\b/;

/** `user@host:dir# `, `[user@host dir]$ `, or a bare `$ `/`# `/`> ` before a known command. */
const PROMPT = /^(?:\S+@\S+?(?::[^#$\s]*)?\s*[#$%]|\[[^\]\n]*\]\s*[#$%]|[#$%>])\s+(.*)$/;

export function parsePrompt(text: string, line: number): PromptLine | null {
  const m = PROMPT.exec(text);
  if (!m) return null;
  const command = m[1]!.trim();
  if (!TOOL_WORDS.test(command)) return null;
  // the kind is the last tool in a pipeline that prints a dump (`iptables-save | grep KUBE`)
  const first = command.split('|')[0]!.replace(/^sudo\s+(?:-\S+\s+)*/, '').trim();
  const word = first.split(/\s+/).find(w => !w.startsWith('-') && !/^[A-Z_]+=/.test(w))?.replace(/^.*\//, '') ?? '';
  let kind: DumpKind | null = null;
  if (/^ip6?tables/.test(word)) kind = 'iptables';
  else if (word === 'nft') kind = 'nft';
  else if (word === 'ipvsadm') kind = 'ipvsadm';
  else if (word === 'ipset') kind = 'ipset';
  else if (word === 'conntrack') kind = 'conntrack';
  const table = /(?:^|\s)(?:-t|--table)\s*=?\s*(\w+)/.exec(first)?.[1] ?? null;
  const family = /^ip6tables/.test(word) || /\bip6\b|-f\s+ipv6/.test(first) ? 'ip6' : kind ? 'ip' : null;
  const host = /^\[?[^@\s\]]+@([^:\s\]]+)/.exec(text)?.[1] ?? null;
  return { line, command, kind, table: kind === 'iptables' ? table : null, family: kind === 'iptables' || kind === 'nft' || kind === 'conntrack' ? family : null, host };
}

/**
 * Candidate readings of a line: as pasted, then without a grep prefix (`42:`, `file:`, `file:42:`,
 * and the `file-42-` of context lines). The caller takes the first reading it recognises.
 */
export function grepReadings(text: string): string[] {
  const out = [text];
  const m = /^(?:[^\s:]+[:-])?(\d+)[:-](?=\S)/.exec(text) ?? /^([^\s:]*[./][^\s:]*):(?=\S)/.exec(text);
  if (m) out.push(text.slice(m[0].length));
  return out;
}

export function splitLines(text: string): PasteLine[] {
  const out: PasteLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    out.push({ line: i, text: raw.trim(), raw });
  }
  return out;
}
