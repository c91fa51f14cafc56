// Minimal text edits on YAML manifests: replace a value, remove a field's lines, add a field at the
// indentation of its siblings, append a list item or a document. Comments, order and indentation
// around the edit stay as they are.
import type { LineIndex, SourceRange } from '../manifest/source';
import type { ManifestFile, ManifestObject } from '../manifest/manifest';

export interface TextEdit {
  readonly range: SourceRange;
  readonly newText: string;
  /** Another file to edit (its fileName); the finding's own file when absent. */
  readonly file?: string;
}

export function replaceValue(obj: ManifestObject, path: (string | number)[], newText: string): TextEdit | null {
  const r = obj.rangeOf(path);
  return r ? { range: r, newText } : null;
}

/** Removes the lines of a `key: value` field (the key's line through the end of its value). */
export function removeField(obj: ManifestObject, lines: LineIndex, path: (string | number)[]): TextEdit | null {
  const key = obj.rangeOf(path, 'key');
  const value = obj.rangeOf(path);
  if (!key || !value) return null;
  const text = lines.text;
  const startLine = key.start.line;
  const lineStart = lines.offsetAt(startLine, 0);
  // only a field alone on its line(s) can be cut out cleanly; flow style ({a: b}) is left alone
  if (text.slice(lineStart, key.start.offset).trim() !== '' && text.slice(lineStart, key.start.offset).trim() !== '-') return null;
  let endLine = value.end.line;
  if (value.end.character === 0 && endLine > startLine) endLine--;
  const end = endLine + 1 < lines.lineCount ? lines.offsetAt(endLine + 1, 0) : text.length;
  return { range: lines.range(lineStart, end), newText: '' };
}

/** Inserts `key: value` as the first field of the mapping at `parent`, indented like its fields. */
export function addField(obj: ManifestObject, parent: (string | number)[], key: string, value: string): TextEdit | null {
  const parentRange = obj.rangeOf(parent);
  if (!parentRange) return null;
  const first = obj.fileText[parentRange.start.offset];
  if (first === '{' || first === '[' || first === '"') return null; // flow style or JSON: no safe insert
  const indent = ' '.repeat(parentRange.start.character);
  // insert before the mapping's first key, then re-indent that key: works after "- " too
  return { range: { start: parentRange.start, end: parentRange.start }, newText: `${key}: ${value}\n${indent}` };
}

/** Sets a field: replaces its value when present, adds it otherwise. */
export function setField(obj: ManifestObject, parent: (string | number)[], key: string, value: string): TextEdit | null {
  return replaceValue(obj, [...parent, key], value) ?? addField(obj, parent, key, value);
}

/** The same edit, made in another file. */
export function inFile(edit: TextEdit | null, file: string): TextEdit | null {
  return edit ? { ...edit, file } : null;
}

/** Appends a YAML document (text starting with `---`) at the end of a file, in that file. */
export function appendDocument(file: ManifestFile, text: string): TextEdit {
  const end = file.lines.position(file.text.length);
  return { range: { start: end, end }, newText: (file.text === '' || file.text.endsWith('\n') ? '' : '\n') + text, file: file.fileName };
}

/**
 * Appends `item` to the YAML sequence at `range` of a file: inside the brackets of a flow sequence, or as
 * one more `- item` line at the indentation of the block sequence's first dash (inside a block scalar too).
 */
export function appendListItem(file: ManifestFile, range: SourceRange, item: string): TextEdit | null {
  const value = file.text.slice(range.start.offset, range.end.offset);
  let at: number, newText: string;
  if (value.startsWith('[')) {
    const close = value.lastIndexOf(']');
    if (close < 0) return null;
    const inside = value.slice(1, close);
    at = range.start.offset + 1 + inside.trimEnd().length;
    newText = inside.trim() === '' ? item : `, ${item}`;
  } else if (value.startsWith('-')) {
    const lineStart = file.lines.offsetAt(range.start.line, 0);
    at = range.start.offset + value.trimEnd().length;
    newText = `\n${file.text.slice(lineStart, range.start.offset).replace(/[^\t ]/g, ' ')}- ${item}`;
  } else {
    return null;
  }
  const pos = file.lines.position(at);
  return { range: { start: pos, end: pos }, newText, file: file.fileName };
}
