// Findings as CI tools want them: a flat JSON list (1-based positions) and SARIF 2.1.0.
import { docsSection, RULE_IDS, RULES, type RuleId } from './catalog';
import type { Finding } from './analyze';

export interface ReportedFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Finding['severity'];
  readonly code: RuleId;
  readonly message: string;
  readonly service: string;
}

export function toReported(file: string, f: Finding): ReportedFinding {
  return {
    file, line: f.range.start.line + 1, column: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1,
    severity: f.severity, code: f.rule, message: f.message, service: f.service,
  };
}

export function formatText(findings: readonly ReportedFinding[]): string {
  return findings.map(f => `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.code}] ${f.message}`).join('\n') + (findings.length ? '\n' : '');
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

export function toSarif(findings: readonly ReportedFinding[], version: string): object {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'natlens', version,
          rules: RULE_IDS.map(id => ({
            id, name: id, shortDescription: { text: RULES[id].title }, help: { text: `${RULES[id].title}. Documented in ${docsSection(id)} of NAT Lens.` },
            defaultConfiguration: { level: SARIF_LEVEL[RULES[id].severity] },
          })),
        },
      },
      results: findings.map(f => ({
        ruleId: f.code, ruleIndex: RULE_IDS.indexOf(f.code), level: SARIF_LEVEL[f.severity], message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } }],
      })),
    }],
  };
}
