import { SESSION_STATUSES, type StoreSearchFilter, type StoreSearchQuery } from '../../domain/index.js';
import { SESSION_COLUMNS, sessionsJsonArray } from './session-row.js';

// The SQL of search and count, built per filter shape. A page is one index range per wanted
// status (all five when the filter names none), each read in the sort order from the cursor on
// and cut at the page size, then merged: with the indexes of the third migration and of the
// indexed metadata keys (search-indexes.ts) every range holds matching sessions only, so a page
// reads about `limit` entries per status however deep it is. The exact total comes from counters
// kept by triggers for the common filters, else from a count over the same indexes (whose cost
// grows with the number of matches, not with the table).

interface Built {
  text: string;
  values: unknown[];
}

/** Collects parameters and answers their placeholders. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/** Beyond what a Date holds (a cursor may say anything): later than every stored time. */
const MAX_DATE_MS = 8.64e15;
const iso = (ms: number) => (ms > MAX_DATE_MS ? 'infinity' : ms < -MAX_DATE_MS ? '-infinity' : new Date(ms).toISOString());

/**
 * The conditions of `filter` except the status. An indexed key is written as a literal (it was
 * checked against `^[A-Za-z0-9_.-]+$`), so the planner matches the key's expression index and its
 * partial predicate; values are compared as jsonb, so `1`, `"1"` and `true` differ.
 */
function conditions(filter: StoreSearchFilter, indexedKeys: readonly string[], params: Params): string[] {
  const where: string[] = [];
  if (filter.dbConnectionId !== undefined) where.push(`db_connection_id = ${params.add(filter.dbConnectionId, 'text')}`);
  if (filter.modes) where.push(`mode = ANY (${params.add([...filter.modes], 'text[]')})`);
  for (const [key, value] of Object.entries(filter.metadata ?? {})) {
    const wanted = params.add(JSON.stringify(value), 'jsonb');
    if (indexedKeys.includes(key)) where.push(`metadata ? '${key}' AND metadata -> '${key}' = ${wanted}`);
    else where.push(`metadata -> ${params.add(key, 'text')} = ${wanted}`);
  }
  if (filter.createdAfter !== undefined) where.push(`created_at > ${params.add(iso(filter.createdAfter), 'timestamptz')}`);
  if (filter.createdBefore !== undefined) where.push(`created_at < ${params.add(iso(filter.createdBefore), 'timestamptz')}`);
  if (filter.updatedAfter !== undefined) where.push(`updated_at > ${params.add(iso(filter.updatedAfter), 'timestamptz')}`);
  if (filter.updatedBefore !== undefined) where.push(`updated_at < ${params.add(iso(filter.updatedBefore), 'timestamptz')}`);
  return where;
}

/** The exact number of sessions matching `filter`, as a scalar subquery. */
function countQuery(s: string, filter: StoreSearchFilter, indexedKeys: readonly string[], params: Params): string {
  const counted = countedTotal(s, filter, indexedKeys, params);
  if (counted) return counted;
  const where = conditions(filter, indexedKeys, params);
  if (filter.statuses) where.push(`status = ANY (${params.add([...new Set(filter.statuses)], 'text[]')})`);
  return `SELECT count(*)::integer AS total FROM ${s}.sessions${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/**
 * For a filter of at most a db connection, a status set and one indexed key=value, the total
 * from the counters the triggers keep (`session_counts`, `session_key_counts`): a sum of at most
 * 80 rows, however many sessions match. Otherwise undefined.
 */
function countedTotal(s: string, filter: StoreSearchFilter, indexedKeys: readonly string[], params: Params): string | undefined {
  const keys = Object.keys(filter.metadata ?? {});
  const timed = [filter.createdAfter, filter.createdBefore, filter.updatedAfter, filter.updatedBefore].some((t) => t !== undefined);
  if (filter.modes || timed || keys.length > 1 || (keys.length === 1 && !indexedKeys.includes(keys[0]))) return undefined;
  const where = [`db_connection_id = ${params.add(filter.dbConnectionId ?? '', 'text')}`];
  if (filter.statuses) where.push(`status = ANY (${params.add([...new Set(filter.statuses)], 'text[]')})`);
  let table = 'session_counts';
  if (keys.length === 1) {
    table = 'session_key_counts';
    where.push(`key = ${params.add(keys[0], 'text')}`, `value = ${params.add(JSON.stringify(filter.metadata?.[keys[0]]), 'jsonb')}`);
  }
  return `SELECT coalesce(sum(n), 0)::integer AS total FROM ${s}.${table} WHERE ${where.join(' AND ')}`;
}

/** `count(filter)`: one row with `total`. */
export function countStatement(s: string, filter: StoreSearchFilter, indexedKeys: readonly string[]): Built {
  const params = new Params();
  const text = countQuery(s, filter, indexedKeys, params);
  return { text, values: params.values };
}

/**
 * A page of `query` (`limit + 1` sessions, to tell whether more follow, as `sessionsJsonArray`
 * text) and the total (-1 with `skipTotal`), in one statement: one row.
 */
export function searchStatement(s: string, query: StoreSearchQuery, indexedKeys: readonly string[]): Built {
  const params = new Params();
  const total = query.skipTotal ? '-1' : `(${countQuery(s, query.filter, indexedKeys, params)})`;
  const column = query.sortBy === 'createdAt' ? 'created_at' : 'updated_at';
  const direction = query.sortOrder === 'asc' ? 'ASC' : 'DESC';
  const order = `ORDER BY ${column} ${direction}, id ${direction}`;
  const common = conditions(query.filter, indexedKeys, params);
  if (query.after) {
    const at = params.add(iso(query.after.at), 'timestamptz');
    const id = params.add(query.after.id, 'text');
    common.push(`(${column}, id) ${query.sortOrder === 'asc' ? '>' : '<'} (${at}, ${id} COLLATE "C")`);
  }
  const limit = params.add(query.limit + 1, 'integer');
  const statuses = query.filter.statuses ? [...new Set(query.filter.statuses)] : SESSION_STATUSES;
  const ranges = statuses.map((status) => {
    const where = [`status = ${params.add(status, 'text')}`, ...common].join(' AND ');
    return `(SELECT ${SESSION_COLUMNS} FROM ${s}.sessions WHERE ${where} ${order} LIMIT ${limit})`;
  });
  const pageOrder = `p.${column} ${direction}, p.id ${direction}`;
  const text = `SELECT ${total} AS total, (SELECT ${sessionsJsonArray('p', pageOrder)} FROM (
  SELECT * FROM (
  ${ranges.join('\n  UNION ALL ')}
  ) u ${order} LIMIT ${limit}
) p) AS sessions`;
  return { text, values: params.values };
}
