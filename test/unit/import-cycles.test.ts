// The import graph of the product's TypeScript has no cycle: a cycle makes module order matter (a
// class or constant read before its module ran is undefined) and ties layers together.
// Type-only imports count too: they are dependencies of the design even where the bundle drops them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('../../', import.meta.url).pathname);
const ROOTS = ['extension/src', 'protocol', 'webview/src'];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** The modules a file imports or re-exports by a relative specifier, as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']*)'/gms)) {
    const base = resolve(dirname(file), m[1]!);
    const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
    if (target) out.push(target);
  }
  return out;
}

/** Strongly connected components with more than one module (Tarjan), each as paths relative to the root. */
function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map(f => [f, importsOf(f)]));
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [], cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); component.push(relative(root, w)); } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const f of graph.keys()) if (!index.has(f)) visit(f);
  return cycles;
}

test('no import cycle among the modules of extension/src, protocol and webview/src', () => {
  const files = ROOTS.flatMap(r => sources(join(root, r)));
  assert.ok(files.length > 50, `found ${files.length} modules`);
  assert.deepEqual(importCycles(files), []);
});
