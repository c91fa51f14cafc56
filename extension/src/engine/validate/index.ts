// Validation of the objects the model reads (see validate.ts): the schema of each kind, and which of
// its lists drop an invalid element on its own (a Service's port) instead of the whole object.
import { KIND_SCHEMAS, type AnyRule } from './schema';
import { validateObject, type ValidationResult } from './validate';

export type { ValidationResult, Violation } from './validate';

export type ValidatedKind = keyof typeof KIND_SCHEMAS;

/** A Service port that fails validation is not modelled; the Service's other ports are. */
const ISOLATING: Partial<Record<ValidatedKind, ReadonlySet<string>>> = { Service: new Set(['spec.ports']) };

// a document whose text did not change keeps its parsed value, so its validated object (which caches
// downstream key on) stays the same object too
const validated = new WeakMap<object, ValidationResult>();

export function validateKubernetesObject(kind: ValidatedKind, value: Record<string, unknown>): ValidationResult {
  let result = validated.get(value);
  if (!result) validated.set(value, (result = validateObject(value, KIND_SCHEMAS[kind] as unknown as AnyRule, ISOLATING[kind])));
  return result;
}
