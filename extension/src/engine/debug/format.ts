// The debug checklist as plain text for a terminal.
import type { DebugCommand } from './commands';
import { english, type Messages } from '../i18n';

function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

export interface FormatDebugOptions {
  /** A first line, e.g. "natlens debug: shop/web on node-a (iptables)". */
  readonly heading?: string | undefined;
  /** Wrap "look for" text at this column (default 100). */
  readonly width?: number | undefined;
  /** The language of the "Look for" and "Expected" labels (default English). */
  readonly messages?: Messages | undefined;
}

/**
 * Numbered steps: title and where to run it, the command after "$ " (copy-paste ready, one line),
 * what to look for, and the lines NAT Lens expects in the output.
 */
export function formatDebugText(list: readonly DebugCommand[], options: FormatDebugOptions = {}): string {
  const width = options.width ?? 100;
  const m = options.messages ?? english;
  const out: string[] = [];
  if (options.heading) out.push(options.heading, '');
  list.forEach((c, i) => {
    out.push(`${i + 1}. ${c.title} [${c.runOn}]`);
    out.push(`   $ ${c.command}`);
    out.push(...wrap(`${m.debugLookFor()} ${c.lookFor}`, width, '   '));
    if (c.expected?.length) {
      out.push(`   ${m.debugExpected()}`);
      for (const e of c.expected) out.push(`     ${e}`);
    }
    out.push('');
  });
  return out.join('\n');
}
