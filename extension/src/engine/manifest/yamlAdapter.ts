// The only module that talks to the `yaml` package: a major upgrade of it touches this file alone.
import { Document, parseAllDocuments, stringify, isAlias, isMap, isPair, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { LineIndex, type FieldPath, type SourceRange } from './source';

export interface YamlProblem {
  readonly message: string;
  readonly range: SourceRange;
  readonly severity: 'error' | 'warning';
}

/** One YAML document: its plain value plus a way back from any field path to its source range. */
export interface YamlDocument {
  readonly index: number;
  readonly range: SourceRange;
  readonly text: string;
  /** Plain JSON-like value; undefined for an empty document or when errors made it unusable. */
  readonly value: unknown;
  readonly problems: YamlProblem[];
  rangeOf(path: FieldPath, part?: 'key' | 'value'): SourceRange | undefined;
  /** Path of the innermost field whose key or value covers `offset` (file offset). */
  pathAt(offset: number): FieldPath | undefined;
}

export interface YamlParseLimits {
  /** Alias dereferences per document before it is treated as an alias bomb. */
  readonly maxAliasExpansions: number;
  /** Values (scalars, maps, sequences) a document may expand to. */
  readonly maxNodes: number;
  /** Flow collections ([ ] and { }) nested in one another; deeper text is not handed to the parser. */
  readonly maxNestingDepth: number;
  /** Keys of one mapping. */
  readonly maxKeysPerMapping: number;
  /** Documents of one file. */
  readonly maxDocuments: number;
}

/**
 * The documented limits (docs/limits.md). 100,000 documents hold 30,000 Services with one EndpointSlice
 * each (60,000 documents, about 45 MiB) with room to spare; the size limit bounds the work either way.
 */
export const DEFAULT_YAML_LIMITS: YamlParseLimits = { maxAliasExpansions: 1000, maxNodes: 1_000_000, maxNestingDepth: 1000, maxKeysPerMapping: 100_000, maxDocuments: 100_000 };

/** A document that cannot be used, with the offset (in its chunk) to report it at. */
class DocumentRefused extends Error {
  constructor(message: string, readonly start: number, readonly end: number) {
    super(message);
  }
}

/** Where flow collections nest deeper than `max` (quoted scalars and comments do not count), or -1. */
function tooDeep(chunk: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) { if (++depth > max) return i; }
    else if (c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
    else if (c === 0x22) { for (i++; i < chunk.length && chunk.charCodeAt(i) !== 0x22; i++) if (chunk.charCodeAt(i) === 0x5c) i++; }
    else if (c === 0x27 && (i === 0 || /[\s\[{,:]/.test(chunk[i - 1]!))) { for (i++; i < chunk.length && chunk.charCodeAt(i) !== 0x27; i++); }
    else if (c === 0x23 && (i === 0 || /\s/.test(chunk[i - 1]!))) { while (i < chunk.length && chunk.charCodeAt(i) !== 0x0a) i++; }
  }
  return -1;
}

/** A document parsed on its own: offsets are relative to its chunk, so it survives edits elsewhere. */
interface ParsedChunk {
  readonly chunk: string;
  readonly doc: Document;
  readonly value: unknown;
  readonly problems: readonly { message: string; start: number; end: number; severity: 'error' | 'warning' }[];
}

const DIRECTIVES_ONLY = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*%[^\n]*\n(?:[ \t]*(?:[%#][^\n]*)?\r?\n)*$/;
const YAML_11_DIRECTIVE = /^%YAML[ \t]+1\.1[ \t\r]*$/m;

/** A "---" at `at` that starts a document: followed by a blank, a line break or the end. */
function documentMarkerAt(text: string, at: number): boolean {
  if (!text.startsWith('---', at)) return false;
  const next = text.charCodeAt(at + 3);
  return Number.isNaN(next) || next === 0x20 || next === 0x09 || next === 0x0d || next === 0x0a;
}

/** Splits a stream at its "---" lines: each chunk holds one document (YAML allows no anchors across them). */
function splitDocuments(text: string): { chunk: string; base: number }[] {
  const starts = [0];
  // indexOf, not a look-behind regex (several times slower on a large file, paid on every keystroke);
  // line starts are "\n" only: YAML 1.2 does not break lines at U+2028/U+2029
  for (let nl = text.indexOf('\n---'); nl >= 0; nl = text.indexOf('\n---', nl + 1)) {
    const at = nl + 1;
    // the "---" that ends a directive prologue (%YAML 1.1) starts that same document
    if (documentMarkerAt(text, at) && !DIRECTIVES_ONLY.test(text.slice(starts[starts.length - 1], at))) starts.push(at);
  }
  return starts.map((base, i) => ({ base, chunk: text.slice(base, starts[i + 1] ?? text.length) }));
}

/** The parser's message without the rest of the document it may quote (a token can run to the end of the file). */
function firstLine(message: string): string {
  const line = message.split('\n')[0]!;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** YAML errors and warnings listed per document; past that, one problem counts the rest. */
const MAX_PROBLEMS_PER_DOCUMENT = 50;

function parseChunk(chunk: string, limits: YamlParseLimits): ParsedChunk | null {
  const deep = tooDeep(chunk, limits.maxNestingDepth);
  if (deep >= 0) return refusedChunk(chunk, `Collections nested more than ${limits.maxNestingDepth} deep; document not analysed`, deep);
  // duplicate keys are found in toPlain, in linear time (the package's own check compares every pair)
  const version = YAML_11_DIRECTIVE.test(chunk) ? '1.1' : '1.2';
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(chunk, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: false, strict: false, version });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return refusedChunk(chunk, 'Document too deeply nested to parse; not analysed', 0);
  }
  const list = Array.isArray(docs) ? docs : [];
  const doc = list.find(d => d.contents !== null || d.errors.length > 0) ?? list[0];
  if (!doc) return null;
  const problems: { message: string; start: number; end: number; severity: 'error' | 'warning' }[] = [];
  for (const d of list) {
    for (const e of d.errors) problems.push({ message: firstLine(e.message), start: e.pos[0], end: e.pos[1], severity: 'error' });
    for (const w of d.warnings) problems.push({ message: firstLine(w.message), start: w.pos[0], end: w.pos[1], severity: 'warning' });
  }
  // one broken line can make the parser report every token after it (200,000 for a long flow map):
  // the first few locate it, the rest would only flood the Problems view
  if (problems.length > MAX_PROBLEMS_PER_DOCUMENT) {
    const more = problems.length - MAX_PROBLEMS_PER_DOCUMENT;
    const last = problems[MAX_PROBLEMS_PER_DOCUMENT]!;
    problems.length = MAX_PROBLEMS_PER_DOCUMENT;
    problems.push({ message: `${more} more problems in this document, not listed`, start: last.start, end: last.end, severity: 'error' });
  }
  let value: unknown;
  if (doc.errors.length === 0) {
    try {
      value = toPlain(doc.contents as YamlNode | null, { doc, aliases: 0, nodes: 0, open: new Set() }, limits);
    } catch (e) {
      if (!(e instanceof DocumentRefused) && !(e instanceof RangeError)) throw e;
      const [from, , to] = doc.range ?? [0, 0, 0];
      const at = e instanceof DocumentRefused ? e : { message: 'Document too deeply nested to convert; not analysed', start: from, end: Math.min(to, from + 1) };
      problems.push({ message: at.message, start: at.start, end: at.end, severity: 'error' });
    }
  }
  return { chunk, doc, value, problems };
}

/**
 * Parses a multi-document stream. With `previous` (the documents of an earlier version of the same
 * text), a document whose text did not change is reused instead of parsed again, so an edit costs
 * one document's parse.
 */
export function parseYamlDocuments(text: string, lines: LineIndex, limits: YamlParseLimits = DEFAULT_YAML_LIMITS, previous: readonly YamlDocument[] = []): YamlDocument[] {
  const before: (ParsedChunk | undefined)[] = previous.map(p => (p as InternalDocument)[PARSED]);
  // an edit leaves the documents before it at their index and those after it at theirs from the end;
  // taken ones are cleared, so that two equal documents get one parse each
  const take = (i: number, chunk: string): ParsedChunk | undefined => {
    const p = before[i];
    if (p === undefined || p.chunk !== chunk) return undefined;
    before[i] = undefined;
    return p;
  };
  const out: YamlDocument[] = [];
  const chunks = splitDocuments(text);
  // by content, built only when documents were inserted or removed in more than one place: with as
  // many documents as before, a changed one is simply parsed again
  let byText: Map<string, number[]> | undefined;
  let misses = chunks.length === before.length ? -Infinity : 0;
  for (let i = 0; i < chunks.length; i++) {
    const { chunk, base } = chunks[i]!;
    if (i === limits.maxDocuments) {
      out.push(makeDocument(refusedChunk(text.slice(base), `More than ${limits.maxDocuments} documents in one file; the rest is not analysed`, 0), base, out.length, lines));
      break;
    }
    let parsed = before.length === 0 ? undefined : take(out.length, chunk) ?? take(before.length - (chunks.length - i), chunk);
    if (!parsed && before.length > 0 && ++misses > 1) {
      if (!byText) {
        byText = new Map();
        for (const [j, p] of before.entries()) if (p) (byText.get(p.chunk) ?? byText.set(p.chunk, []).get(p.chunk)!).push(j);
      }
      for (const j of byText.get(chunk) ?? []) if ((parsed = take(j, chunk))) break;
    }
    parsed ??= parseChunk(chunk, limits) ?? undefined;
    if (!parsed) continue;
    out.push(makeDocument(parsed, base, out.length, lines));
  }
  return out;
}

const PARSED = Symbol('parsed');
type InternalDocument = YamlDocument & { [PARSED]?: ParsedChunk };

function makeDocument(parsed: ParsedChunk, base: number, index: number, lines: LineIndex): YamlDocument {
  const { doc } = parsed;
  const root = doc.contents as YamlNode | null;
  const [start, , end] = doc.range ?? [0, 0, 0];
  const document: InternalDocument = {
    index,
    range: lines.range(base + start, base + end),
    text: parsed.chunk.slice(start, end),
    value: parsed.value,
    problems: parsed.problems.map(p => ({ message: p.message, severity: p.severity, range: lines.range(base + p.start, base + p.end) })),
    pathAt: offset => pathAt(doc, root, offset - base),
    rangeOf: (path, part = 'value') => {
      const found = locate(doc, root, path);
      if (!found) return undefined;
      const node = part === 'key' && found.key ? found.key : found.value;
      const r = (node as { range?: [number, number, number] } | null)?.range;
      return r ? lines.range(base + r[0], base + r[1]) : undefined;
    },
    [PARSED]: parsed,
  };
  return document;
}

/** `open`: the collections being converted, to find an alias that refers to its own ancestor. */
interface Budget { readonly doc: Document; aliases: number; nodes: number; readonly open: Set<YamlNode> }

const rangeOfNode = (node: unknown): [number, number] => {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : [0, 0];
};

function toPlain(node: YamlNode | null | undefined, budget: Budget, limits: YamlParseLimits): unknown {
  if (node == null) return null;
  if (++budget.nodes > limits.maxNodes) throw new DocumentRefused(`Document expands to more than ${limits.maxNodes} values; not analysed`, ...rangeOfNode(node));
  if (isScalar(node)) return node.value;
  if (isAlias(node)) {
    if (++budget.aliases > limits.maxAliasExpansions) {
      throw new DocumentRefused(`Too many alias expansions (more than ${limits.maxAliasExpansions}): looks like an alias bomb; document not analysed`, ...rangeOfNode(node));
    }
    const target = node.resolve(budget.doc) as YamlNode | undefined;
    if (target && budget.open.has(target)) throw new DocumentRefused(`Alias *${node.source} refers to a collection that contains it (a cycle); document not analysed`, ...rangeOfNode(node));
    return toPlain(target, budget, limits);
  }
  if (!isMap(node) && !isSeq(node)) return null;
  budget.open.add(node);
  try {
    return isMap(node) ? mapToPlain(node, budget, limits) : node.items.map(item => toPlain(item as YamlNode, budget, limits));
  } finally {
    budget.open.delete(node);
  }
}

function mapToPlain(node: YAMLMap, budget: Budget, limits: YamlParseLimits): Record<string, unknown> {
  if (node.items.length > limits.maxKeysPerMapping) throw new DocumentRefused(`A mapping with ${node.items.length} keys (more than ${limits.maxKeysPerMapping}); document not analysed`, ...rangeOfNode(node));
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const k = pair.key as YamlNode | null;
    const key = isScalar(k) ? String(k.value) : isAlias(k) ? String(toPlain(k, budget, limits)) : JSON.stringify(toPlain(k, budget, limits));
    if (seen.has(key)) throw new DocumentRefused('Map keys must be unique', ...rangeOfNode(k));
    seen.add(key);
    if (key === '<<' && isScalar(k)) {
      // YAML 1.1 merge keys, which Kubernetes' YAML decoder honours: explicit keys win.
      const merged = toPlain(pair.value as YamlNode, budget, limits);
      for (const source of Array.isArray(merged) ? merged : [merged]) {
        if (source && typeof source === 'object') for (const [mk, mv] of Object.entries(source)) if (!(mk in out)) out[mk] = mv;
      }
      continue;
    }
    const value = toPlain(pair.value as YamlNode | null, budget, limits);
    // a key "__proto__" is data, not the object's prototype
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function refusedChunk(chunk: string, message: string, at: number): ParsedChunk {
  // an empty document stands in for the refused one, so that its offsets and index stay in place
  const doc = new Document(null);
  doc.range = [0, chunk.length, chunk.length];
  return { chunk, doc, value: undefined, problems: [{ message, start: at, end: Math.min(chunk.length, at + 1), severity: 'error' }] };
}

function locate(doc: Document, root: YamlNode | null, path: FieldPath): { key?: unknown; value: unknown } | undefined {
  let current: unknown = root;
  let key: unknown;
  for (const part of path) {
    for (let hops = 0; isAlias(current) && hops < 100; hops++) current = current.resolve(doc);
    if (isMap(current) && typeof part === 'string') {
      const pair = current.items.find(p => isScalar(p.key) && String(p.key.value) === part);
      if (!pair) return undefined;
      key = pair.key;
      current = pair.value;
    } else if (isSeq(current) && typeof part === 'number') {
      current = current.items[part];
      key = undefined;
      if (current === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  return { key, value: current };
}

/** The bare `yaml` parse, without our conversion: the baseline `npm run bench` compares against. */
export function bareParseAllDocuments(text: string): number {
  const docs = parseAllDocuments(text);
  return Array.isArray(docs) ? docs.length : 0;
}

function covers(node: unknown, offset: number): boolean {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return !!r && offset >= r[0] && offset <= r[1];
}

function pathAt(doc: Document, root: YamlNode | null, offset: number): FieldPath | undefined {
  const path: (string | number)[] = [];
  let current: unknown = root;
  for (let depth = 0; depth < 64; depth++) {
    if (isAlias(current)) current = current.resolve(doc);
    if (isMap(current)) {
      const pair = current.items.find(p => covers(p.key, offset) || covers(p.value, offset));
      if (!pair || !isScalar(pair.key)) return path.length ? path : undefined;
      path.push(String(pair.key.value));
      if (covers(pair.key, offset)) return path;
      current = pair.value;
    } else if (isSeq(current)) {
      const index = current.items.findIndex(item => covers(item, offset));
      if (index < 0) return path.length ? path : undefined;
      path.push(index);
      current = current.items[index];
    } else {
      return path.length ? path : undefined;
    }
  }
  return path;
}

/** An object that stays the same while a document's text does not change (for caches keyed on it). */
export function documentIdentity(doc: YamlDocument): object {
  return (doc as InternalDocument)[PARSED] ?? doc;
}

/** Plain data as YAML text (for files NAT Lens writes, such as a saved profile). */
export function stringifyYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
