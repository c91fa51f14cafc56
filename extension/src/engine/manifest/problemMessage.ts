// A manifest problem in the reader's language: field problems have words of their own, the rest
// (YAML syntax, limits) keep the English of the parser that found them.
import type { ManifestProblem } from './manifest';
import type { Messages } from '../i18n';

export function problemMessage(p: ManifestProblem, m: Messages): string {
  return p.field ? m.fieldProblem(p.field) : p.message;
}
