// The diagnostics catalog, read off the rule modules: one stable id per rule, documented in
// docs/diagnostics.md#<id>. package.json's natlens.severity schema and the docs' sections are
// generated from the same modules (scripts/generate-rules.ts).
import { RULE_MODULES } from './rules';
import type { RuleMeta } from './rules/types';

export type { FindingSeverity } from './rules/types';

export type RuleId = (typeof RULE_MODULES)[number]['id'];

export const RULES = Object.fromEntries(RULE_MODULES.map(m => [m.id, m.meta])) as Readonly<Record<RuleId, RuleMeta>>;

export const RULE_IDS: RuleId[] = RULE_MODULES.map(m => m.id);

/** Where a rule is documented, inside the NAT Lens package (the project has no public web page to link to). */
export function docsSection(id: RuleId): string {
  return `docs/diagnostics.md#${id}`;
}
