import { Ajv, type ErrorObject } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import { ValidationError, type ValidationIssue } from '../domain/index.js';

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
  return (value) => {
    if (check(value)) return value as Static<T>;
    const issues = (check.errors ?? []).map(toIssue).map((issue) => (issue.path ? issue : { ...issue, path: what }));
    throw new ValidationError(issues);
  };
}
