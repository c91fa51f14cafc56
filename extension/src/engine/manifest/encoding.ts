// Manifests are UTF-8 (YAML 1.2 also allows UTF-16 and UTF-32, kubectl and NAT Lens read UTF-8).
// A UTF-16 or UTF-32 file read as UTF-8 turns into NUL characters between the letters (and the byte
// order mark into U+FFFD, or ÿþ when read as Latin-1): recognised here from the text alone, so that the
// user hears what the file is instead of "Not a Kubernetes object".

export interface ForeignEncoding {
  /** "UTF-16 LE", "UTF-16 BE", "UTF-32 LE" or "UTF-32 BE". */
  readonly name: string;
  /** Whether the file starts with a byte order mark (undefined: not known, as when an editor decoded it). */
  readonly byteOrderMark?: boolean;
}

/** An editor's name of the encoding it decoded a file with (VS Code: TextDocument.encoding), when UTF-16. */
export function declaredEncoding(name: string | undefined): ForeignEncoding | null {
  return name === 'utf16le' ? { name: 'UTF-16 LE' } : name === 'utf16be' ? { name: 'UTF-16 BE' } : null;
}

/** How many code units at the start of the text are looked at. */
const SAMPLE = 1024;

/** The byte order marks as a UTF-8 (U+FFFD per invalid byte) or Latin-1 reading leaves them. */
const MARKS: readonly { prefix: RegExp; name?: string; width: 2 | 4 }[] = [
  { prefix: /^(\uFFFD\uFFFD|\u00FF\u00FE)\0\0/, name: 'UTF-32 LE', width: 4 },
  { prefix: /^\0\0(\uFFFD\uFFFD|\u00FE\u00FF)/, name: 'UTF-32 BE', width: 4 },
  { prefix: /^(\u00FF\u00FE)/, name: 'UTF-16 LE', width: 2 },
  { prefix: /^(\u00FE\u00FF)/, name: 'UTF-16 BE', width: 2 },
  // FF FE and FE FF both read as two U+FFFD: the order comes from where the NULs are
  { prefix: /^\uFFFD\uFFFD/, width: 2 },
];

/** The encoding of a text that is UTF-16 or UTF-32 read as UTF-8 (or Latin-1); null for anything else. */
export function foreignEncoding(text: string): ForeignEncoding | null {
  let sample = text.slice(0, SAMPLE + 4);
  let byteOrderMark = false;
  let width: 2 | 4 | undefined;
  for (const mark of MARKS) {
    const m = mark.prefix.exec(sample);
    if (!m) continue;
    if (mark.name) return { name: mark.name, byteOrderMark: true };
    byteOrderMark = true;
    width = mark.width;
    sample = sample.slice(m[0].length);
    break;
  }
  sample = sample.slice(0, SAMPLE);
  // NULs by position modulo 4: ASCII in UTF-16 LE puts them at odd positions, in UTF-32 BE at 0, 1, 2
  const at = [0, 0, 0, 0];
  let nuls = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 0) { at[i % 4]!++; nuls++; }
  if (sample.length < 4 || nuls === 0) return null;
  const share = nuls / sample.length;
  const quarter = sample.length / 4;
  if (width !== 2 && share > 0.6) {
    if (at[0]! < 0.2 * quarter) return { name: 'UTF-32 LE', byteOrderMark };
    if (at[3]! < 0.2 * quarter) return { name: 'UTF-32 BE', byteOrderMark };
  }
  if (share > 0.3 || (byteOrderMark && share > 0.1)) {
    const even = at[0]! + at[2]!, odd = at[1]! + at[3]!;
    if (odd > 4 * even) return { name: 'UTF-16 LE', byteOrderMark };
    if (even > 4 * odd) return { name: 'UTF-16 BE', byteOrderMark };
  }
  return null;
}

/**
 * The problem's text: what the file is and what to do. An editor that decoded a UTF-16 file shows it
 * right, but the CLI and kubectl read it as UTF-8: the same message everywhere keeps them agreeing.
 */
export function foreignEncodingMessage(e: ForeignEncoding): string {
  return `This file is ${e.name}${e.byteOrderMark ? ' (with a byte order mark)' : ''}, not UTF-8: NAT Lens reads manifests as UTF-8. Save it as UTF-8 to analyse it`;
}
