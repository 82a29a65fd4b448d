import { ValidationError, type ValidationIssue } from './errors.js';
import { DEFAULT_MODE, FORBIDDEN_METADATA_KEYS, LIMITS } from './limits.js';
import {
  SESSION_MODES,
  SESSION_STATUSES,
  type ListSessionsQuery,
  type SessionMetadata,
  type SessionMode,
  type SessionStatus,
} from './session.js';

// The manager validates every call itself, so library users get the same guarantees as HTTP
// clients; the server's JSON Schemas check the wire shape first with the same LIMITS.

/** Create input with defaults applied. */
export interface ValidCreateInput {
  dbConnectionId: string;
  mode: SessionMode;
  recursionLimit: number;
  title: string | null;
  metadata: SessionMetadata;
}

/** Update input with `metadata: null` turned into `{}`. */
export interface ValidUpdateInput {
  title?: string | null;
  status?: SessionStatus;
  metadata?: SessionMetadata;
}

const CREATE_FIELDS = new Set(['dbConnectionId', 'mode', 'recursionLimit', 'title', 'metadata']);
const COPY_FIELDS = new Set(['title', 'metadata']);
const UPDATE_FIELDS = new Set(['title', 'status', 'metadata']);
const LIST_FIELDS = new Set(['dbConnectionId', 'status', 'limit', 'offset']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function checkUnknownFields(input: Record<string, unknown>, allowed: Set<string>, issues: ValidationIssue[]): void {
  for (const key of Object.keys(input)) {
    if (!allowed.has(key)) issues.push({ path: key, message: 'is not a known field' });
  }
}

/**
 * Length in characters as JSON Schema's `minLength`/`maxLength` (and so ajv on the wire) count
 * them: code points, not UTF-16 units, so an emoji is one character on both paths.
 */
export function characterCount(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

const LONE_SURROGATE = 'must be valid Unicode (it has a lone surrogate)';
// Without the `u` flag the pattern sees UTF-16 units, so it finds unpaired halves.
const LONE_SURROGATE_PATTERN = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** False when `value` has a lone surrogate: not valid Unicode, and not storable as UTF-8. */
function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE_PATTERN.test(value);
}

function checkString(value: unknown, path: string, min: number, max: number, issues: ValidationIssue[]): void {
  if (typeof value !== 'string') issues.push({ path, message: 'must be a string' });
  else if (!isWellFormed(value)) issues.push({ path, message: LONE_SURROGATE });
  else {
    const length = characterCount(value);
    if (length < min || length > max) issues.push({ path, message: `must be ${min}-${max} characters long` });
  }
}

function checkInteger(value: unknown, path: string, min: number, max: number, issues: ValidationIssue[]): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ path, message: `must be an integer from ${min} to ${max}` });
  }
}

function checkOneOf(value: unknown, path: string, options: readonly string[], issues: ValidationIssue[]): void {
  if (typeof value !== 'string' || !options.includes(value)) {
    issues.push({ path, message: `must be one of ${options.join(', ')}` });
  }
}

function checkTitle(value: unknown, issues: ValidationIssue[]): void {
  if (value !== null) checkString(value, 'title', 0, LIMITS.titleMaxLength, issues);
}

/** Finds the first reason `value` is not acceptable JSON metadata, walking at most the depth limit. */
function metadataProblem(value: unknown, path: string, depth: number): ValidationIssue | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  // Stores keep UTF-8: a lone surrogate would come back as U+FFFD, a silent change.
  if (typeof value === 'string') return isWellFormed(value) ? undefined : { path, message: LONE_SURROGATE };
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path, message: 'must be a finite number' };
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) {
    return { path, message: 'must be JSON: a string, number, boolean, null, array or plain object' };
  }
  if (depth > LIMITS.metadataMaxDepth) {
    return { path: 'metadata', message: `must be nested at most ${LIMITS.metadataMaxDepth} levels deep` };
  }
  if (isArray) {
    for (let i = 0; i < value.length; i++) {
      const problem = metadataProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_METADATA_KEYS.has(key)) return { path: `${path}.${key}`, message: 'is a forbidden key' };
    if (!isWellFormed(key)) return { path, message: 'must have keys of valid Unicode (one has a lone surrogate)' };
    const problem = metadataProblem(value[key], `${path}.${key}`, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Checks metadata and returns a private deep copy (so later changes by the caller cannot reach
 * the store), or pushes an issue. `null` means "no metadata" and becomes `{}`.
 */
function validMetadata(value: unknown, issues: ValidationIssue[]): SessionMetadata | undefined {
  if (value === null) return {};
  if (!isPlainObject(value)) {
    issues.push({ path: 'metadata', message: 'must be a JSON object' });
    return undefined;
  }
  const problem = metadataProblem(value, 'metadata', 1);
  if (problem) {
    issues.push(problem);
    return undefined;
  }
  const serialized = JSON.stringify(value);
  if (Buffer.byteLength(serialized, 'utf8') > LIMITS.metadataMaxBytes) {
    issues.push({ path: 'metadata', message: `must be at most ${LIMITS.metadataMaxBytes} bytes as JSON` });
    return undefined;
  }
  return JSON.parse(serialized) as SessionMetadata;
}

function requireObject(input: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(input)) throw new ValidationError([{ path: '', message: `${what} must be an object` }]);
  return input;
}

/** Validates create input and applies the documented defaults. */
export function validateCreateInput(raw: unknown): ValidCreateInput {
  const input = requireObject(raw, 'create input');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, CREATE_FIELDS, issues);
  if (input.dbConnectionId === undefined) issues.push({ path: 'dbConnectionId', message: 'is required' });
  else checkString(input.dbConnectionId, 'dbConnectionId', 1, LIMITS.dbConnectionIdMaxLength, issues);
  if (input.mode !== undefined) checkOneOf(input.mode, 'mode', SESSION_MODES, issues);
  if (input.recursionLimit !== undefined) {
    checkInteger(input.recursionLimit, 'recursionLimit', LIMITS.recursionLimitMin, LIMITS.recursionLimitMax, issues);
  }
  if (input.title !== undefined) checkTitle(input.title, issues);
  const metadata = input.metadata === undefined ? {} : validMetadata(input.metadata, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    dbConnectionId: input.dbConnectionId as string,
    mode: (input.mode as SessionMode | undefined) ?? DEFAULT_MODE,
    recursionLimit: (input.recursionLimit as number | undefined) ?? LIMITS.recursionLimitDefault,
    title: (input.title as string | null | undefined) ?? null,
    metadata: metadata as SessionMetadata,
  };
}

/** Validates copy overrides: only `title` and `metadata`, checked as on create (`null` metadata becomes `{}`). */
export function validateCopyInput(raw: unknown): { title?: string | null; metadata?: SessionMetadata } {
  const input = requireObject(raw, 'copy input');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, COPY_FIELDS, issues);
  const valid: { title?: string | null; metadata?: SessionMetadata } = {};
  if (input.title !== undefined) {
    checkTitle(input.title, issues);
    valid.title = input.title as string | null;
  }
  if (input.metadata !== undefined) valid.metadata = validMetadata(input.metadata, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return valid;
}

/** Validates an update; only `title`, `status` and `metadata` may be given. */
export function validateUpdateInput(raw: unknown): ValidUpdateInput {
  const input = requireObject(raw, 'update input');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, UPDATE_FIELDS, issues);
  const valid: ValidUpdateInput = {};
  if (input.title !== undefined) {
    checkTitle(input.title, issues);
    valid.title = input.title as string | null;
  }
  if (input.status !== undefined) {
    checkOneOf(input.status, 'status', SESSION_STATUSES, issues);
    valid.status = input.status as SessionStatus;
  }
  if (input.metadata !== undefined) valid.metadata = validMetadata(input.metadata, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return valid;
}

/** Validates list filters and paging; out-of-range paging is refused, never clamped. */
export function validateListQuery(raw: unknown = {}): Required<Pick<ListSessionsQuery, 'limit' | 'offset'>> &
  Pick<ListSessionsQuery, 'dbConnectionId' | 'status'> {
  const input = requireObject(raw, 'list query');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, LIST_FIELDS, issues);
  if (input.dbConnectionId !== undefined) {
    checkString(input.dbConnectionId, 'dbConnectionId', 1, LIMITS.dbConnectionIdMaxLength, issues);
  }
  if (input.status !== undefined) checkOneOf(input.status, 'status', SESSION_STATUSES, issues);
  if (input.limit !== undefined) checkInteger(input.limit, 'limit', LIMITS.listLimitMin, LIMITS.listLimitMax, issues);
  if (input.offset !== undefined) checkInteger(input.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    dbConnectionId: input.dbConnectionId as string | undefined,
    status: input.status as SessionStatus | undefined,
    limit: (input.limit as number | undefined) ?? LIMITS.listLimitDefault,
    offset: (input.offset as number | undefined) ?? 0,
  };
}
