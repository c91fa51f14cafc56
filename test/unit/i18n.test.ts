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

// ---- every renderer, asked for German, writes German
// The fixtures trigger every diagnostic rule; for each we render the findings, their quick fixes, the
// CodeLens, the hovers of every line of every Service, the debug checklist, the trace choices, the
// validation problems, the assumptions and the one-node note, in all three modes.

/** English function words, after the parts both languages share are taken out (code, quotes, names, addresses). */
const ENGLISH_WORDS = /\b(the|is|are|and|of|with|which|this|that|does|its|every|but|from|to|when|has|have|only|then|there|their|it|be|by|for)\b/i;

function englishIn(text: string): string | null {
  const prose = text
    .replace(/```[\s\S]*?```/g, ' ') // fenced rule listings
    .replace(/`[^`]*`/g, ' ') // code spans
    .replace(/"[^"\n]*"|„[^“]*“|'[^'\n]*'/g, ' ') // quoted rule comments, API values, tool output
    .split(/\s+/).filter(w => !/[-/.:_=<>[\]0-9@#$|]/.test(w)).join(' ');
  const hit = ENGLISH_WORDS.exec(prose);
  return hit ? prose.slice(Math.max(0, hit.index - 40), hit.index + 40) : null;
}

const extraFixtures: Record<string, string> = {
  // exposed-admin-port, ip-family-not-served, duplicate-object
  'extra.yaml': `apiVersion: v1
kind: Service
metadata: { name: db, namespace: t }
spec:
  type: LoadBalancer
  selector: { app: db }
  ports: [{ port: 5432, targetPort: 5432 }]
---
apiVersion: v1
kind: Service
metadata: { name: six, namespace: t }
spec:
  ipFamilies: [IPv6]
  selector: { app: db }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: db, namespace: t }
spec:
  type: LoadBalancer
  selector: { app: db }
  ports: [{ port: 5432, targetPort: 5432 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: t }
spec:
  replicas: 2
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: postgres, ports: [{ containerPort: 5432 }] }] }
`,
};

/** Rules whose German message quotes text that is English only so far, and why. */
const ENGLISH_INSIDE: Readonly<Record<string, string>> = {
  'policy-egress-ip-block-snat': 'it quotes the CNI decision\'s reason (engine/egress/decide.ts), not yet in the catalog',
};

test('German renderers write German: every rule message and fix, lens, hover and debug check of the fixtures', async () => {
  const { parseManifest, ofKind } = await import('../../extension/src/engine/manifest/manifest');
  const { parseProfile } = await import('../../extension/src/engine/model/profile');
  const { buildClusterModel } = await import('../../extension/src/engine/model/cluster');
  const { serviceEntryOf } = await import('../../extension/src/engine/findings/walks');
  const { withProxyMode } = await import('../../extension/src/engine/model/profile');
  const { analyzeFile } = await import('../../extension/src/engine/findings/analyze');
  const { serviceLenses } = await import('../../extension/src/engine/findings/codelens');
  const { hoverAt } = await import('../../extension/src/engine/findings/hover');
  const { debugCommands } = await import('../../extension/src/engine/debug');
  const { RULE_MODULES } = await import('../../extension/src/engine/findings/rules');
  const { problemMessage } = await import('../../extension/src/engine/manifest/problemMessage');
  const { sourceChoices, entryChoices } = await import('../../extension/src/engine/walk/choices');
  const { assumptionReason, modelNote } = await import('../../extension/src/engine/model/assumptions');
  const { buildPreviewState } = await import('../../extension/src/engine/preview/state');
  const en = messagesFor('en');
  const de = messagesFor('de');
  const profile = parseProfile(readFileSync(`${root}examples/cluster.yaml`, 'utf8')).profile;
  const texts = new Map<string, string>([
    ...readdirSync(`${root}test/fixtures/findings`).filter(n => n.endsWith('.yaml')).map(n => [n, readFileSync(`${root}test/fixtures/findings/${n}`, 'utf8')] as const),
    ...readdirSync(`${root}examples`).filter(n => n.endsWith('.yaml') && n !== 'cluster.yaml').map(n => [n, readFileSync(`${root}examples/${n}`, 'utf8')] as const),
    ...Object.entries(extraFixtures),
    // validation problems of every kind: types, formats, enums, required values
    ['invalid-fields.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: Bad_Name, namespace: t }\nspec:\n  ports:\n  - { port: 99999, name: "--x", protocol: tcp }\n  - { port: "abc" }\n'],
  ]);
  const english: string[] = [];
  const check = (where: string, german: string, inEnglish?: string) => {
    if (inEnglish !== undefined && german === inEnglish && englishIn(german)) english.push(`${where}: same as English: ${german.slice(0, 120)}`);
    const hit = englishIn(german);
    if (hit) english.push(`${where}: …${hit}…`);
  };
  const fired = new Set<string>();
  for (const [name, text] of texts) {
    const file = parseManifest(text, name);
    for (const p of file.problems) if (p.field) check(`${name} problem ${p.code}`, problemMessage(p, de), p.message);
    for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
      const model = buildClusterModel(file.objects, withProxyMode(profile, mode));
      const inEn = analyzeFile(file, model, { messages: en });
      analyzeFile(file, model, { messages: de }).forEach((f, i) => {
        fired.add(f.rule);
        if (!(f.rule in ENGLISH_INSIDE)) check(`${name} ${mode} ${f.rule}`, f.message, inEn[i]?.message);
        f.fixes.forEach((x, j) => check(`${name} ${mode} ${f.rule} fix`, x.title, inEn[i]?.fixes[j]?.title));
      });
      for (const l of serviceLenses(file, model, undefined, de)) check(`${name} ${mode} lens`, l.title);
      for (const obj of ofKind(file.objects, 'Service')) {
        for (let line = obj.range.start.line; line <= obj.range.end.line; line++) {
          const start = file.lines.offsetAt(line, 0);
          const offset = start + (/^[\s-]*/.exec(file.text.slice(start, file.text.indexOf('\n', start) >>> 0))?.[0].length ?? 0);
          const h = hoverAt(file, offset, model, de);
          if (h) for (const t of [h.summary, ...h.details]) check(`${name} ${mode} hover line ${line + 1}`, t);
        }
        const entry = serviceEntryOf(model, obj);
        if (entry) for (const c of debugCommands(model, entry, { messages: de })) for (const t of [c.title, c.lookFor, c.runOn]) check(`${name} ${mode} debug "${c.title}"`, t);
        if (entry) for (const c of [...sourceChoices(model, entry, 0, de), ...entryChoices(model, entry, 0, de)]) for (const t of [c.label, c.detail]) check(`${name} ${mode} choice ${c.id}`, t);
      }
      // every walk the preview offers for the file's first Service: its words, where it ends, the reply (a hop's
      // effect is rule notation, "DNAT to 10.244.0.10:8080", the same in both languages)
      const services = model.services.filter(x => x.obj.fileName === name);
      const first = services[0];
      if (first && first.ports.length) {
        const base = { service: `${first.obj.namespace}/${first.obj.name}`, port: 0, node: model.profile.nodeName, mode, format: 'restore' as const };
        const offer = buildPreviewState({ fileName: name, services, model, profileSource: 'test', problems: [], messages: de }, { ...base, trace: null });
        for (const source of offer.sources) for (const entry of offer.entries) {
          const walk = buildPreviewState({ fileName: name, services, model, profileSource: 'test', problems: [], messages: de }, { ...base, trace: { source: source.id, entry: entry.id } }).walk;
          if (!walk) continue;
          const where = `${name} ${mode} walk ${source.id} → ${entry.id}`;
          check(where, walk.summary);
          for (const o of walk.outcomes) {
            check(`${where} delivered`, o.delivered);
            for (const r of o.reply) check(`${where} reply`, r.description);
          }
        }
      }
      for (const a of model.assumptions) if (a.because) check(`${name} ${mode} assumption ${a.field}`, assumptionReason(a, de), a.reason);
      const note = modelNote({ ...model, profile: { ...model.profile, nodes: model.profile.nodes.slice(0, 1) } }, de);
      if (note) check(`${name} ${mode} model note`, note);
    }
  }
  assert.deepEqual(RULE_MODULES.map(r => r.id).filter(id => !fired.has(id)), [], 'every rule fires on the fixtures');
  assert.deepEqual([...new Set(english)].slice(0, 30), []);
});
