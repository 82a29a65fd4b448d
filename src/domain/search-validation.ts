import { ValidationError, type ValidationIssue } from './errors.js';
import { LIMITS } from './limits.js';
import {
  SEARCH_SORT_FIELDS,
  SEARCH_SORT_ORDERS,
  SESSION_FIELD_NAMES,
  type MetadataFilterValue,
  type SearchSortField,
  type SearchSortOrder,
  type SessionFieldName,
  type StoreSearchFilter,
} from './search.js';
import { durationMs } from './retention.js';
import { SESSION_MODES, SESSION_STATUSES, type SessionMode, type SessionStatus } from './session.js';
import { checkInteger, checkOneOf, checkString, checkUnknownFields, isPlainObject, requireObject } from './validation.js';

/** A search with defaults applied; the cursor is still opaque (the manager decodes it). */
export interface ValidSearchQuery {
  filter: StoreSearchFilter;
  sortBy: SearchSortField;
  sortOrder: SearchSortOrder;
  limit: number;
  cursor?: string;
  select?: SessionFieldName[];
}

const FILTER_FIELDS = [
  'dbConnectionId',
  'status',
  'mode',
  'metadata',
  'createdAfter',
  'createdBefore',
  'updatedAfter',
  'updatedBefore',
] as const;
const SEARCH_FIELDS = new Set<string>([...FILTER_FIELDS, 'sortBy', 'sortOrder', 'limit', 'cursor', 'select']);
const COUNT_FIELDS = new Set<string>(FILTER_FIELDS);
const PRUNE_FIELDS = new Set<string>([...FILTER_FIELDS, 'olderThan']);
/** An ISO 8601 date-time with a time zone, as search bounds take it (also the wire schema's pattern). */
export const SEARCH_TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.(\\d{1,9}))?)?(?:Z|[+-]\\d{2}:\\d{2})$';
const TIMESTAMP = new RegExp(SEARCH_TIMESTAMP_PATTERN);
/** Longest cursor accepted (issued ones are far shorter). */
export const CURSOR_MAX_LENGTH = 512;

/** Validates a search: filter, sort, page size, cursor and projection. */
export function validateSearchQuery(raw: unknown, indexedKeys: readonly string[]): ValidSearchQuery {
  const input = requireObject(raw, 'search query');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, SEARCH_FIELDS, issues);
  const filter = filterOf(input, indexedKeys, issues);
  if (input.sortBy !== undefined) checkOneOf(input.sortBy, 'sortBy', SEARCH_SORT_FIELDS, issues);
  if (input.sortOrder !== undefined) checkOneOf(input.sortOrder, 'sortOrder', SEARCH_SORT_ORDERS, issues);
  if (input.limit !== undefined) checkInteger(input.limit, 'limit', LIMITS.listLimitMin, LIMITS.listLimitMax, issues);
  if (input.cursor !== undefined) checkString(input.cursor, 'cursor', 1, CURSOR_MAX_LENGTH, issues);
  if (input.select !== undefined) checkSelect(input.select, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    filter,
    sortBy: (input.sortBy as SearchSortField | undefined) ?? 'createdAt',
    sortOrder: (input.sortOrder as SearchSortOrder | undefined) ?? 'desc',
    limit: (input.limit as number | undefined) ?? LIMITS.listLimitDefault,
    cursor: input.cursor as string | undefined,
    select: input.select as SessionFieldName[] | undefined,
  };
}

/** Validates the filter of a count (the search filter fields only). */
export function validateCountFilter(raw: unknown, indexedKeys: readonly string[]): StoreSearchFilter {
  const input = requireObject(raw ?? {}, 'count filter');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, COUNT_FIELDS, issues);
  const filter = filterOf(input, indexedKeys, issues);
  if (issues.length > 0) throw new ValidationError(issues);
  return filter;
}

/**
 * Validates a prune: the filter fields plus `olderThan` (a duration such as `30d`, applied to
 * `updatedAt` at `now`). An empty prune, which would delete every session, is refused.
 */
export function validatePruneInput(raw: unknown, indexedKeys: readonly string[], now: number): StoreSearchFilter {
  const input = requireObject(raw ?? {}, 'prune input');
  const issues: ValidationIssue[] = [];
  checkUnknownFields(input, PRUNE_FIELDS, issues);
  const filter = filterOf(input, indexedKeys, issues);
  if (input.olderThan !== undefined) {
    try {
      const cutoff = now - durationMs(String(input.olderThan), 'olderThan');
      if (typeof input.olderThan !== 'string') throw new TypeError('not a string');
      filter.updatedBefore = Math.min(filter.updatedBefore ?? cutoff, cutoff);
    } catch {
      issues.push({ path: 'olderThan', message: 'must be a duration: a whole number from 1 followed by s, m, h or d, such as 30d' });
    }
  }
  if (Object.keys(input).length === 0) {
    issues.push({ path: '', message: 'must name at least one filter field or olderThan: an empty prune would delete every session' });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return filter;
}

function filterOf(input: Record<string, unknown>, indexedKeys: readonly string[], issues: ValidationIssue[]): StoreSearchFilter {
  const filter: StoreSearchFilter = {};
  if (input.dbConnectionId !== undefined) {
    checkString(input.dbConnectionId, 'dbConnectionId', 1, LIMITS.dbConnectionIdMaxLength, issues);
    filter.dbConnectionId = input.dbConnectionId as string;
  }
  if (input.status !== undefined) filter.statuses = oneOrMany<SessionStatus>(input.status, 'status', SESSION_STATUSES, issues);
  if (input.mode !== undefined) filter.modes = oneOrMany<SessionMode>(input.mode, 'mode', SESSION_MODES, issues);
  if (input.metadata !== undefined) filter.metadata = metadataFilter(input.metadata, indexedKeys, issues);
  for (const [name, edge] of [
    ['createdAfter', 'after'],
    ['createdBefore', 'before'],
    ['updatedAfter', 'after'],
    ['updatedBefore', 'before'],
  ] as const) {
    if (input[name] !== undefined) filter[name] = timestamp(input[name], name, edge, issues);
  }
  return filter;
}

function oneOrMany<T extends string>(value: unknown, path: string, options: readonly T[], issues: ValidationIssue[]): T[] {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) issues.push({ path, message: 'must name at least one value' });
  values.forEach((item, i) => checkOneOf(item, Array.isArray(value) ? `${path}[${i}]` : path, options, issues));
  return [...new Set(values as T[])];
}

function metadataFilter(value: unknown, indexedKeys: readonly string[], issues: ValidationIssue[]): Record<string, MetadataFilterValue> {
  if (!isPlainObject(value)) {
    issues.push({ path: 'metadata', message: 'must be a JSON object of key -> string, number or boolean' });
    return {};
  }
  for (const [key, item] of Object.entries(value)) {
    if (!indexedKeys.includes(key)) {
      const indexed = indexedKeys.length > 0 ? `indexed: ${indexedKeys.join(', ')}` : 'no keys are indexed';
      issues.push({ path: `metadata.${key}`, message: `is not an indexed metadata key (${indexed})` });
    } else if (typeof item !== 'string' && typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) {
      issues.push({ path: `metadata.${key}`, message: 'must be a string, number or boolean' });
    }
  }
  return { ...(value as Record<string, MetadataFilterValue>) };
}

/**
 * A bound in ms. Times are kept to the millisecond, so a finer bound is rounded the way that
 * keeps "exclusive" exact: `before 12:00:00.0005` lets 12:00:00.000 through.
 */
function timestamp(value: unknown, path: string, edge: 'after' | 'before', issues: ValidationIssue[]): number {
  const text = value instanceof Date ? value.toISOString() : value;
  const match = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  const ms = match ? Date.parse(text as string) : NaN;
  if (!match || Number.isNaN(ms)) {
    issues.push({ path, message: 'must be an ISO 8601 timestamp with a time zone, e.g. 2026-01-31T12:00:00.000Z' });
    return 0;
  }
  const finer = (match[1] ?? '').slice(3);
  return edge === 'before' && /[1-9]/.test(finer) ? ms + 1 : ms;
}

function checkSelect(value: unknown, issues: ValidationIssue[]): void {
  if (!Array.isArray(value)) {
    issues.push({ path: 'select', message: 'must be an array of session field names' });
    return;
  }
  value.forEach((item, i) => checkOneOf(item, `select[${i}]`, SESSION_FIELD_NAMES, issues));
}
