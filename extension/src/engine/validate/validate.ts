// The one check between parsed YAML and the model: every field the model reads is compared with its
// Kubernetes type (schema.ts) and, where the value reaches rule text, with the API server's validation.
// What fails is reported at its field and left out of the model: the whole object, or (for a list the
// schema marks as isolating, such as a Service's ports) just that element. The model then only ever
// sees values of the declared types; a null field is taken as absent, as the API server decodes it.
import type { FieldPath } from '../manifest/source';
import { formatPath } from '../manifest/source';
import type { AnyRule } from './schema';
import type { FieldProblem, GotValue } from '../i18n/model.en';

export interface Violation {
  readonly path: FieldPath;
  /** What is wrong, for the catalog to word (formatPath(path) names the field). */
  readonly problem: FieldProblem;
  /** The element left out of the model, when not the whole object (e.g. ['spec', 'ports', 2]). */
  readonly isolated?: FieldPath;
}

export interface ValidationResult {
  /** The object as the model may read it: invalid isolated elements replaced by null, null fields removed. */
  readonly value: Record<string, unknown>;
  readonly violations: readonly Violation[];
  /** True when a violation outside an isolating list makes the whole object unusable. */
  readonly rejected: boolean;
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/** Go's %v / %q rendering of a value in a field.Invalid message. */
/** Longer strings are cut in messages: a 4 MB name must not make a 4 MB diagnostic. */
const SHOWN_LENGTH = 256;

function shown(value: unknown): string {
  if (typeof value === 'string' && value.length > SHOWN_LENGTH) return `${JSON.stringify(value.slice(0, 64)).slice(0, -1)}…" (${value.length} characters)`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

function kindOf(value: unknown): GotValue {
  if (value === null) return { kind: 'null' };
  if (Array.isArray(value)) return { kind: 'list' };
  if (typeof value === 'object') return { kind: 'mapping' };
  if (typeof value === 'string') return { kind: 'string', text: JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) };
  return { kind: typeof value === 'number' ? 'number' : 'boolean', text: String(value) };
}

class Walk {
  readonly violations: Violation[] = [];
  rejected = false;
  constructor(private readonly isolating: ReadonlySet<string>) {}

  private typeError(path: FieldPath, rule: AnyRule, value: unknown): void {
    this.report(path, { kind: 'type', expected: rule.type, got: kindOf(value) });
  }

  private report(path: FieldPath, problem: FieldProblem): void {
    this.violations.push({ path, problem });
  }

  /** Returns the value the model may read (undefined: leave the field out). */
  value(value: unknown, rule: AnyRule, path: FieldPath): unknown {
    if (value === null || value === undefined) return undefined;
    switch (rule.type) {
      case 'string':
        if (typeof value !== 'string') { this.typeError(path, rule, value); return undefined; }
        if (rule.enum && value !== '' && !rule.enum.includes(value)) {
          this.report(path, { kind: 'unsupported', value: shown(value), supported: rule.enum });
        }
        for (const detail of rule.check?.(value) ?? []) this.report(path, { kind: 'invalid', value: shown(value), detail });
        return value;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) { this.typeError(path, rule, value); return undefined; }
        for (const detail of rule.check?.(value) ?? []) this.report(path, { kind: 'invalid', value: shown(value), detail });
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') { this.typeError(path, rule, value); return undefined; }
        return value;
      case 'int-or-string':
        if (typeof value !== 'string' && (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)) { this.typeError(path, rule, value); return undefined; }
        for (const detail of rule.check?.(value) ?? []) this.report(path, { kind: 'invalid', value: shown(value), detail });
        return value;
      case 'string-map': {
        if (typeof value !== 'object' || Array.isArray(value)) { this.typeError(path, rule, value); return undefined; }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value)) {
          if (v === null) continue;
          if (typeof v !== 'string') this.typeError([...path, k], { type: 'string' }, v);
          else out[k] = v;
        }
        return out;
      }
      case 'list': {
        if (!Array.isArray(value)) { this.typeError(path, rule, value); return undefined; }
        const isolating = this.isolating.has(formatPath(path.filter(p => typeof p === 'string')));
        return value.map((item, i) => {
          const itemPath = [...path, i];
          if (item === null) return rule.items.type === 'object' ? this.value({}, rule.items, itemPath) : (this.typeError(itemPath, rule.items, item), undefined);
          if (!isolating) return this.value(item, rule.items, itemPath);
          const before = this.violations.length;
          const checked = this.value(item, rule.items, itemPath);
          if (this.violations.length === before) return checked;
          for (let v = before; v < this.violations.length; v++) this.violations[v] = { ...this.violations[v]!, isolated: itemPath };
          return null;
        });
      }
      case 'object': {
        if (typeof value !== 'object' || Array.isArray(value)) { this.typeError(path, rule, value); return undefined; }
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const field = Object.hasOwn(rule.fields, k) ? rule.fields[k] : undefined;
          if (!field) { out[k] = v; continue; }
          const checked = this.value(v, field, [...path, k]);
          if (checked !== undefined) out[k] = checked;
        }
        // field.Required, as validateServicePort and validateContainerPorts report a missing port
        for (const k of rule.required ?? []) if (out[k] === undefined) this.report([...path, k], { kind: 'required' });
        return out;
      }
    }
  }
}

/**
 * Checks one object against its kind's schema. `isolating`: list paths ("spec.ports") whose invalid
 * elements are left out on their own instead of rejecting the object.
 */
export function validateObject(value: Record<string, unknown>, schema: AnyRule, isolating: ReadonlySet<string> = new Set()): ValidationResult {
  const walk = new Walk(isolating);
  const checked = walk.value(value, schema, []) as Record<string, unknown>;
  return { value: checked, violations: walk.violations, rejected: walk.violations.some(v => !v.isolated) };
}
