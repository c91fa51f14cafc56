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
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
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
