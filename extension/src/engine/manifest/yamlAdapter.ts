// The only module that talks to the `yaml` package: a major upgrade of it touches this file alone.
import { parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
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

export function parseYamlDocuments(text: string, lines: LineIndex, limits: YamlParseLimits = DEFAULT_YAML_LIMITS): YamlDocument[] {
  const docs = parseAllDocuments(text, { prettyErrors: false, keepSourceTokens: false, uniqueKeys: true, strict: false, version: '1.2' });
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc, index): YamlDocument => {
    const [start, , end] = doc.range;
    const problems: YamlProblem[] = [];
    for (const e of doc.errors) problems.push({ message: e.message.split('\n')[0]!, range: lines.range(e.pos[0], e.pos[1]), severity: 'error' });
    for (const w of doc.warnings) problems.push({ message: w.message.split('\n')[0]!, range: lines.range(w.pos[0], w.pos[1]), severity: 'warning' });
    let value: unknown;
    if (doc.errors.length === 0) {
      try {
        value = toPlain(doc.contents as YamlNode | null, { doc, aliases: 0, nodes: 0 }, limits);
      } catch (e) {
        if (!(e instanceof ExpansionLimit)) throw e;
        problems.push({ message: e.message, range: lines.range(start, Math.min(end, start + 1)), severity: 'error' });
      }
    }
    const root = doc.contents as YamlNode | null;
    return {
      index,
      range: lines.range(start, end),
      text: text.slice(start, end),
      value,
      problems,
      pathAt: offset => pathAt(doc, root, offset),
      rangeOf: (path, part = 'value') => {
        const found = locate(doc, root, path);
        if (!found) return undefined;
        const node = part === 'key' && found.key ? found.key : found.value;
        const r = (node as { range?: [number, number, number] } | null)?.range;
        return r ? lines.range(r[0], r[1]) : undefined;
      },
    };
  });
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
