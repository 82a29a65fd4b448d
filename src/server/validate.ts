import { Ajv, type ErrorObject } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import { MAX_REPORTED_ISSUES, ValidationError, type ValidationIssue } from '../domain/index.js';

const ajv = new Ajv({ allErrors: true, strict: true, coerceTypes: false, useDefaults: false });

function dotted(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  string: 'a string',
  object: 'a JSON object',
  'string,null': 'a string or null',
  'object,null': 'a JSON object or null',
};

function describeType(type: string): string {
  return TYPE_NAMES[type] ?? type;
}

function toIssue(error: ErrorObject): ValidationIssue {
  const base = dotted(error.instancePath);
  const join = (name: string) => (base ? `${base}.${name}` : name);
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: join(String(error.params.additionalProperty)), message: 'is not a known field' };
    case 'required':
      return { path: join(String(error.params.missingProperty)), message: 'is required' };
    case 'enum':
      return { path: base, message: `must be one of ${(error.params.allowedValues as string[]).join(', ')}` };
    case 'type':
      return { path: base, message: `must be ${describeType(String(error.params.type))}` };
    default:
      return { path: base, message: error.message ?? 'is invalid' };
  }
}

/**
 * Compiles `schema` once and returns a checker that narrows `value` to the schema's type or
 * throws a `ValidationError` naming every bad field. `what` names the whole value in messages.
 */
export function compileValidator<T extends TSchema>(schema: T, what: string): (value: unknown) => Static<T> {
  const check = ajv.compile(schema);
  const known = schema.additionalProperties === false && schema.properties ? new Set(Object.keys(schema.properties)) : undefined;
  return (value) => {
    if (known) refuseManyUnknownFields(value, known);
    if (check(value)) return value as Static<T>;
    const issues = (check.errors ?? []).map(toIssue).map((issue) => (issue.path ? issue : { ...issue, path: what }));
    throw new ValidationError(issues);
  };
}

/**
 * A body of thousands of unknown keys would make ajv (`allErrors`) build an error per key and
 * the answer grow with them: past the reporting cap, answer from a plain count instead.
 */
function refuseManyUnknownFields(value: unknown, known: ReadonlySet<string>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const keys = Object.keys(value);
  if (keys.length <= known.size + MAX_REPORTED_ISSUES) return;
  const unknown = keys.filter((key) => !known.has(key));
  if (unknown.length <= MAX_REPORTED_ISSUES) return;
  const issues = unknown.slice(0, MAX_REPORTED_ISSUES).map((path) => ({ path, message: 'is not a known field' }));
  throw new ValidationError(issues, unknown.length - issues.length);
}
