// Findings as CI tools want them: a flat JSON list (1-based positions) and SARIF 2.1.0.
import { docsSection, RULE_IDS, RULES, type FindingSeverity, type RuleId } from './catalog';
import type { Finding } from './analyze';
import type { ManifestProblem } from '../manifest/manifest';
import { problemMessage } from '../manifest/problemMessage';
import { english, type Messages } from '../i18n';

export interface ReportedFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: Finding['severity'];
  /** A rule id, or the code of a problem with the input itself (yaml-syntax, unreadable-file, ...). */
  readonly code: RuleId | InputProblemCode;
  readonly message: string;
  readonly service: string;
}

export function toReported(file: string, f: Finding): ReportedFinding {
  return {
    file, line: f.range.start.line + 1, column: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1,
    severity: f.severity, code: f.rule, message: f.message, service: f.service,
  };
}

/** Codes of ManifestProblem: what made (part of) a file unreadable, not a rule about a Service. */
export type InputProblemCode = string;

const PROBLEM_SEVERITY: Record<ManifestProblem['severity'], FindingSeverity> = { error: 'error', warning: 'warning', info: 'information' };

export function problemToReported(file: string, p: ManifestProblem, m: Messages = english): ReportedFinding {
  return {
    file, line: p.range.start.line + 1, column: p.range.start.character + 1, endLine: p.range.end.line + 1, endColumn: p.range.end.character + 1,
    severity: PROBLEM_SEVERITY[p.severity], code: p.code, message: problemMessage(p, m), service: '',
  };
}

/** A file the analysis failed on: reported in its place so that the other files' findings still come out. */
export function internalErrorReported(file: string, error: unknown): ReportedFinding {
  const detail = error instanceof Error ? error.message : String(error);
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', code: 'internal-error', message: `NAT Lens failed on this file (a bug, please report it): ${detail}`, service: '' };
}

export function formatText(findings: readonly ReportedFinding[]): string {
  return findings.map(f => `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.code}] ${f.message}`).join('\n') + (findings.length ? '\n' : '');
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

export function toSarif(findings: readonly ReportedFinding[], version: string): object {
  const inputCodes = [...new Set(findings.map(f => f.code).filter(c => !(RULE_IDS as readonly string[]).includes(c)))];
  const ruleIds: string[] = [...RULE_IDS, ...inputCodes];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'natlens', version,
          rules: [
            ...RULE_IDS.map(id => ({
              id, name: id, shortDescription: { text: RULES[id].title }, help: { text: `${RULES[id].title}. Documented in ${docsSection(id)} of NAT Lens.` },
              defaultConfiguration: { level: SARIF_LEVEL[RULES[id].severity] },
            })),
            ...inputCodes.map(id => ({ id, name: id, shortDescription: { text: `Problem with the input file (${id})` }, defaultConfiguration: { level: 'error' } })),
          ],
        },
      },
      results: findings.map(f => ({
        ruleId: f.code, ruleIndex: ruleIds.indexOf(f.code), level: SARIF_LEVEL[f.severity], message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: f.file }, region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn } } }],
      })),
    }],
  };
}
