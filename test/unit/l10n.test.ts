// Every string the extension translates has its German text, and the German files hold nothing stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8')) as Record<string, string>;

/** The first argument of every vscode.l10n.t call: a single-quoted literal in this code base. */
function translatedStrings(): Set<string> {
  const out = new Set<string>();
  const dir = `${root}extension/src/vscode/`;
  for (const name of readdirSync(dir).filter(n => n.endsWith('.ts'))) {
    const text = readFileSync(dir + name, 'utf8');
    for (const m of text.matchAll(/l10n\.t\(\s*'((?:[^'\\]|\\.)*)'/g)) out.add(m[1]!.replace(/\\'/g, "'"));
    assert.doesNotMatch(text, /l10n\.t\(\s*[`"]/, `${name}: l10n.t takes a single-quoted literal, so this test can see it`);
  }
  return out;
}

test('bundle.l10n.de.json translates every l10n.t string, and only those', () => {
  const german = json('l10n/bundle.l10n.de.json');
  const used = translatedStrings();
  assert.ok(used.size >= 15, `found ${used.size} strings`);
  assert.deepEqual([...used].filter(s => !(s in german)), [], 'missing German');
  assert.deepEqual(Object.keys(german).filter(s => !used.has(s)), [], 'stale German');
  for (const [en, de] of Object.entries(german)) {
    assert.deepEqual(de.match(/\{\d\}/g) ?? [], en.match(/\{\d\}/g) ?? [], `placeholders of "${en}"`);
  }
});

test('package.nls.de.json has every key of package.nls.json, and package.json uses only those keys', () => {
  const english = json('package.nls.json');
  const german = json('package.nls.de.json');
  assert.deepEqual(Object.keys(german).sort(), Object.keys(english).sort());
  const used = [...readFileSync(`${root}package.json`, 'utf8').matchAll(/"%([^%"]+)%"/g)].map(m => m[1]!);
  assert.deepEqual(used.filter(k => !(k in english)), []);
});
