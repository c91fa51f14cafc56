// The only module that talks to the `yaml` package: a major upgrade of it touches this file alone.
import { parseAllDocuments, stringify, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
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
}

export const DEFAULT_YAML_LIMITS: YamlParseLimits = { maxAliasExpansions: 1000, maxNodes: 1_000_000 };

class ExpansionLimit extends Error {}

/** A document parsed on its own: offsets are relative to its chunk, so it survives edits elsewhere. */
interface ParsedChunk {
  readonly chunk: string;
  readonly doc: Document;
  readonly value: unknown;
  readonly problems: readonly { message: string; start: number; end: number; severity: 'error' | 'warning' }[];
}

const DOCUMENT_START = /^---(?=[ \t]|$)/gm;

/** Splits a stream at its "---" lines: each chunk holds one document (YAML allows no anchors across them). */
function splitDocuments(text: string): { chunk: string; base: number }[] {
  const starts = [0];
  for (const m of text.matchAll(DOCUMENT_START)) if (m.index! > 0) starts.push(m.index!);
  return starts.map((base, i) => ({ base, chunk: text.slice(base, starts[i + 1] ?? text.length) }));
}

/** The parser's message without the rest of the document it may quote (a token can run to the end of the file). */
function firstLine(message: string): string {
  const line = message.split('\n')[0]!;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

function parseChunk(chunk: string, limits: YamlParseLimits): ParsedChunk | null {
  const docs = parseAllDocuments(chunk, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: true, strict: false, version: '1.2' });
  const list = Array.isArray(docs) ? docs : [];
  const doc = list.find(d => d.contents !== null || d.errors.length > 0) ?? list[0];
  if (!doc) return null;
  const problems: { message: string; start: number; end: number; severity: 'error' | 'warning' }[] = [];
  for (const d of list) {
    for (const e of d.errors) problems.push({ message: firstLine(e.message), start: e.pos[0], end: e.pos[1], severity: 'error' });
    for (const w of d.warnings) problems.push({ message: firstLine(w.message), start: w.pos[0], end: w.pos[1], severity: 'warning' });
  }
  let value: unknown;
  if (doc.errors.length === 0) {
    try {
      value = toPlain(doc.contents as YamlNode | null, { doc, aliases: 0, nodes: 0 }, limits);
    } catch (e) {
      if (!(e instanceof ExpansionLimit)) throw e;
      const [from, , to] = doc.range ?? [0, 0, 0];
      problems.push({ message: e.message, start: from, end: Math.min(to, from + 1), severity: 'error' });
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
  const reusable = new Map<string, ParsedChunk[]>();
  for (const p of previous) {
    const parsed = (p as InternalDocument)[PARSED];
    if (parsed) (reusable.get(parsed.chunk) ?? reusable.set(parsed.chunk, []).get(parsed.chunk)!).push(parsed);
  }
  const out: YamlDocument[] = [];
  for (const { chunk, base } of splitDocuments(text)) {
    const parsed = reusable.get(chunk)?.shift() ?? parseChunk(chunk, limits);
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

interface Budget { readonly doc: Document; aliases: number; nodes: number }

function toPlain(node: YamlNode | null | undefined, budget: Budget, limits: YamlParseLimits): unknown {
  if (node == null) return null;
  if (++budget.nodes > limits.maxNodes) throw new ExpansionLimit(`Document expands to more than ${limits.maxNodes} values; not analysed`);
  if (isScalar(node)) return node.value;
  if (isAlias(node)) {
    if (++budget.aliases > limits.maxAliasExpansions) {
      throw new ExpansionLimit(`Too many alias expansions (more than ${limits.maxAliasExpansions}): looks like an alias bomb; document not analysed`);
    }
    return toPlain(node.resolve(budget.doc) as YamlNode | undefined, budget, limits);
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key;
      const key = isScalar(k) ? String(k.value) : isAlias(k) ? String(toPlain(k, budget, limits)) : JSON.stringify(toPlain(k as YamlNode, budget, limits));
      if (key === '<<' && isScalar(k)) {
        // YAML 1.1 merge keys, which Kubernetes' YAML decoder honours: explicit keys win.
        const merged = toPlain(pair.value as YamlNode, budget, limits);
        for (const source of Array.isArray(merged) ? merged : [merged]) {
          if (source && typeof source === 'object') for (const [mk, mv] of Object.entries(source)) if (!(mk in out)) out[mk] = mv;
        }
        continue;
      }
      out[key] = toPlain(pair.value as YamlNode | null, budget, limits);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map(item => toPlain(item as YamlNode, budget, limits));
  return null;
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
