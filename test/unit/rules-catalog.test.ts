// The rule modules are the single source of the catalog: one file per rule, named by its id, and the
// settings schema and docs sections generated from them match what is committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { RULE_MODULES } from '../../extension/src/engine/findings/rules';
import { RULE_IDS, RULES } from '../../extension/src/engine/findings/catalog';
import { DIAGNOSTICS_MD, PACKAGE_JSON, withRuleSections, withSeveritySchema } from '../../scripts/generate-rules';

const rulesDir = new URL('../../extension/src/engine/findings/rules/', import.meta.url);
const RULE_FILE = /^[a-z]+(-[a-z]+)*\.ts$/;
const SUPPORT_FILES = new Set(['index.ts', 'types.ts', 'context.ts']);

test('every rule module is one file named by its id, and every one is in the catalog', () => {
  const files = readdirSync(rulesDir).filter(f => !SUPPORT_FILES.has(f)).sort();
  assert.ok(files.every(f => RULE_FILE.test(f)), files.join(', '));
  assert.deepEqual(files, RULE_MODULES.map(m => `${m.id}.ts`).sort());
  assert.equal(new Set(RULE_IDS).size, RULE_IDS.length, 'rule ids are unique');
  for (const m of RULE_MODULES) {
    assert.equal(RULES[m.id], m.meta, m.id);
    assert.ok(m.meta.title && m.meta.docs.trim(), `${m.id} has a title and docs`);
    assert.equal(m.meta.category === 'api', m.subject === 'Service' && !m.needsRules, `${m.id}: API rules check the manifest alone`);
  }
});

test('package.json natlens.severity is generated from the rule modules (npm run generate)', () => {
  const committed = readFileSync(PACKAGE_JSON, 'utf8');
  assert.equal(withSeveritySchema(committed), committed);
  const schema = JSON.parse(committed).contributes.configuration.properties['natlens.severity'];
  assert.equal(schema.additionalProperties, false, 'a misspelt rule id is flagged in settings.json');
  assert.deepEqual(Object.keys(schema.properties), RULE_IDS);
  assert.equal(schema.properties['client-ip-lost'].default, RULES['client-ip-lost'].severity);
});

test('docs/diagnostics.md rule sections are generated from the rule modules (npm run generate)', () => {
  const committed = readFileSync(DIAGNOSTICS_MD, 'utf8');
  assert.equal(withRuleSections(committed), committed);
  assert.deepEqual([...committed.matchAll(/^## (.+)$/gm)].map(m => m[1]), RULE_IDS);
});

test('the generators notice a changed rule module', () => {
  const committed = readFileSync(PACKAGE_JSON, 'utf8');
  const stale = committed.replace('"default": "information",\n              "markdownDescription": "External traffic is masqueraded', '"default": "warning",\n              "markdownDescription": "External traffic is masqueraded');
  assert.notEqual(stale, committed, 'the fixture edit applies');
  assert.equal(withSeveritySchema(stale), committed);
  const docs = readFileSync(DIAGNOSTICS_MD, 'utf8');
  assert.equal(withRuleSections(docs.replace('## external-ips-risk', '## external-ips')), docs);
});
