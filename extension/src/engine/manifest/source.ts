/** A position in a text: UTF-16 offset plus 0-based line and character (VS Code's convention). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly character: number;
}

export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export type FieldPath = ReadonlyArray<string | number>;

/** Maps UTF-16 offsets to line/character with one pass over the text, then binary search. */
export class LineIndex {
  /** A typed array: an edit copies the unchanged parts natively instead of element by element. */
  private readonly lineStarts: Int32Array;

  /** With `previous` (the index of an earlier version of the text), only the edited part is scanned. */
  constructor(readonly text: string, previous?: LineIndex) {
    const edit = previous ? editedSpan(previous.text, text) : { prefix: 0, suffix: 0 };
    const old = previous?.lineStarts;
    const kept = old ? upperBound(old, edit.prefix) : 0;
    const scanned: number[] = old ? [] : [0];
    const end = text.length - edit.suffix;
    for (let i = text.indexOf('\n', edit.prefix); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) scanned.push(i + 1);
    // the line starts after a line break inside the unchanged end, moved by the length change
    const moved = old && edit.suffix > 0 ? upperBound(old, previous!.text.length - edit.suffix) : old?.length ?? 0;
    const starts = new Int32Array(kept + scanned.length + (old ? old.length - moved : 0));
    if (old) starts.set(old.subarray(0, kept));
    starts.set(scanned, kept);
    if (old) {
      const delta = text.length - previous!.text.length;
      for (let k = moved, at = kept + scanned.length; k < old.length; k++, at++) starts[at] = old[k]! + delta;
    }
    this.lineStarts = starts;
  }

  position(offset: number): SourcePosition {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= clamped) lo = mid; else hi = mid - 1;
    }
    return { offset: clamped, line: lo, character: clamped - this.lineStarts[lo]! };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }

  offsetAt(line: number, character: number): number {
    const start = this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))]!;
    return Math.min(start + character, this.text.length);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

/** "spec.ports[0].nodePort" style text for messages. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** The index of the first element greater than `value` in an ascending array. */
function upperBound(sorted: Int32Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

const BLOCK = 1024;

/**
 * How much of two texts' start and end they share (not overlapping): compared a block at a time
 * (string equality is a native comparison), then one character at a time inside the differing block.
 */
export function editedSpan(before: string, after: string): { prefix: number; suffix: number } {
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix + BLOCK <= max && before.slice(prefix, prefix + BLOCK) === after.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  const room = max - prefix;
  let suffix = 0;
  while (suffix + BLOCK <= room && before.slice(before.length - suffix - BLOCK, before.length - suffix) === after.slice(after.length - suffix - BLOCK, after.length - suffix)) suffix += BLOCK;
  while (suffix < room && before.charCodeAt(before.length - suffix - 1) === after.charCodeAt(after.length - suffix - 1)) suffix++;
  return { prefix, suffix };
}
