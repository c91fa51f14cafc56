// Generates, from the rule modules (extension/src/engine/findings/rules), the natlens.severity
// settings schema in package.json and the rule sections of docs/diagnostics.md.
// `node --import tsx scripts/generate-rules.ts` rewrites both; test/unit/rules-catalog.test.ts
// regenerates them in memory and fails when the committed files differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RULE_MODULES } from '../extension/src/engine/findings/rules';

const root = fileURLToPath(new URL('..', import.meta.url));
export const PACKAGE_JSON = `${root}package.json`;
export const DIAGNOSTICS_MD = `${root}docs/diagnostics.md`;

const SEVERITY_LEVELS = ['error', 'warning', 'information', 'hint', 'off'];
const DOCS_MARKER = '<!-- The sections below are generated from extension/src/engine/findings/rules by scripts/generate-rules.ts: edit a rule module, then run `npm run generate`. -->';

/** package.json with the natlens.severity properties rebuilt from the modules (everything else kept). */
export function withSeveritySchema(packageJson: string): string {
  const pkg = JSON.parse(packageJson);
  const schema = pkg.contributes.configuration.properties['natlens.severity'];
  schema.properties = Object.fromEntries(RULE_MODULES.map(m => [m.id, {
    type: 'string', enum: SEVERITY_LEVELS, default: m.meta.severity, markdownDescription: m.meta.title,
  }]));
  schema.additionalProperties = false;
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** docs/diagnostics.md: the hand-written introduction, then one generated section per rule. */
export function withRuleSections(markdown: string): string {
  const markerAt = markdown.indexOf(DOCS_MARKER);
  const intro = markerAt >= 0 ? markdown.slice(0, markerAt) : markdown.slice(0, markdown.search(/^## /m));
  const sections = RULE_MODULES.map(m => `## ${m.id}\n\n**${m.meta.category === 'api' ? 'API' : 'NAT'}, ${m.meta.severity}.** ${m.meta.docs}\n`);
  return `${intro.trimEnd()}\n\n${DOCS_MARKER}\n\n${sections.join('\n')}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(PACKAGE_JSON, withSeveritySchema(readFileSync(PACKAGE_JSON, 'utf8')));
  writeFileSync(DIAGNOSTICS_MD, withRuleSections(readFileSync(DIAGNOSTICS_MD, 'utf8')));
}
