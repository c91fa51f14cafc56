// The engine's message catalog: every message in English and German with the same parameters,
// every key used by some code, and the shared vocabulary formatted per language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import ts from 'typescript';
import { LOCALES, localeOf, messagesFor } from '../../extension/src/engine/i18n';

const root = new URL('../../', import.meta.url).pathname;
const I18N = 'extension/src/engine/i18n/';

/** The table files of a language: en.ts with the area tables it spreads in (rules.en.ts, ...). */
function tableFiles(locale: string): string[] {
  return readdirSync(`${root}${I18N}`).filter(f => f === `${locale}.ts` || f.endsWith(`.${locale}.ts`)).sort();
}

/** Each message's parameter names, read from the tables' sources (destructured names, or positional names). */
function parameterNames(files: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files) collectParameterNames(file, out);
  return out;
}

function collectParameterNames(file: string, out: Map<string, string[]>): void {
  const source = ts.createSourceFile(file, readFileSync(`${root}${I18N}${file}`, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && ts.isArrowFunction(node.initializer) && ts.isObjectLiteralExpression(node.parent)) {
      const names = node.initializer.parameters.flatMap(p => ts.isObjectBindingPattern(p.name)
        ? p.name.elements.map(e => (e.propertyName ?? e.name).getText(source))
        : [p.name.getText(source)]);
      out.set(node.name.getText(source), names.sort());
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

test('every message has German text with the same parameters as the English one', () => {
  assert.deepEqual(tableFiles('de'), tableFiles('en').map(f => f.replace(/en\.ts$/, 'de.ts')).sort(), 'every English area table has a German one');
  const english = parameterNames(tableFiles('en'));
  const german = parameterNames(tableFiles('de'));
  assert.ok(english.size >= 10, `found ${english.size} English messages`);
  assert.deepEqual([...german.keys()].sort(), [...english.keys()].sort());
  for (const [key, names] of english) assert.deepEqual(german.get(key), names, `parameters of ${key}`);
  // the tables at run time are the ones the sources describe
  for (const locale of LOCALES) assert.deepEqual(Object.keys(messagesFor(locale)).sort(), [...english.keys()].sort(), locale);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(`${root}${dir}`).flatMap(name => {
    const path = `${dir}${name}`;
    if (statSync(`${root}${path}`).isDirectory()) return sourceFiles(path + '/');
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

// a message is defined as `key: (…) =>` and called as `.key(`, by a renderer or by another message
test('no stale message: every key is called somewhere', () => {
  const code = ['extension/src/', 'webview/src/', 'protocol/'].flatMap(sourceFiles).map(f => readFileSync(`${root}${f}`, 'utf8')).join('\n');
  const unused = Object.keys(messagesFor('en')).filter(key => !new RegExp(`\\.${key}\\(`).test(code));
  assert.deepEqual(unused, []);
});

/** Messages whose words are the same in both languages (a verdict, a rule keyword). */
const SAME_IN_BOTH: string[] = [];

test('no German text without parameters is the English text unchanged, except where the words are the same in both', () => {
  const en = messagesFor('en');
  const de = messagesFor('de');
  const same = (Object.keys(en) as (keyof typeof en)[]).filter(k => en[k].length === 0 && (en[k] as () => string)() === (de[k] as () => string)());
  assert.deepEqual(same, SAME_IN_BOTH);
});

test('shared vocabulary: percentages per language', () => {
  const en = messagesFor('en');
  const de = messagesFor('de');
  assert.equal(en.percent(0.5), '50%');
  assert.equal(en.percent(1 / 3), '33.3%');
  assert.equal(de.percent(0.5), '50\u00a0%');
  assert.equal(de.percent(1 / 3), '33,3\u00a0%');
});

test('locale tags: every German variant is German, anything else English', () => {
  for (const tag of ['de', 'de-DE', 'de-AT', 'de_DE.UTF-8', 'de_CH', 'DE']) assert.equal(localeOf(tag), 'de', tag);
  for (const tag of [undefined, '', 'en', 'en_US.UTF-8', 'C', 'POSIX', 'fr', 'dev', 'desktop']) assert.equal(localeOf(tag), 'en', String(tag));
});

test('the German CodeLens words', () => {
  const de = messagesFor('de');
  assert.equal(de.lensReadyEndpoints({ n: 1 }), '1 Endpoint bereit');
  assert.equal(de.lensText({ parts: [de.lensReadyEndpoints({ n: 2 }), de.lensClientIpKept()] }), 'NAT: 2 Endpoints bereit · extern: die Client-IP bleibt erhalten');
});
