import type { StoreListQuery } from '../../domain/index.js';
import { SESSION_COLUMNS, sessionsJsonArray } from './session-row.js';

/**
 * The WHERE of a listing and its parameters. Each filter is an equality on a leading column of
 * one index (see the first migration), so a page reads matching entries only.
 * A new filter adds a condition here and, if it is a new list shape, an index.
 */
export function listFilter(query: Pick<StoreListQuery, 'dbConnectionId' | 'status'>): { where: string; values: unknown[]; shape: string } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (query.dbConnectionId !== undefined) {
    values.push(query.dbConnectionId);
    conditions.push(`db_connection_id = $${values.length}`);
  }
  if (query.status !== undefined) {
    values.push(query.status);
    conditions.push(`status = $${values.length}`);
  }
  const shape = `${query.dbConnectionId === undefined ? '' : 'db'}${query.status === undefined ? '' : 'st'}` || 'all';
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', values, shape };
}

/**
 * The exact number of matches, from the counters the `count_session` trigger keeps: db '' holds
 * the totals over all connections. At most 80 rows, however many sessions match.
 */
function totalFilter(query: Pick<StoreListQuery, 'dbConnectionId' | 'status'>, first: number): { where: string; values: unknown[] } {
  const values: unknown[] = [query.dbConnectionId ?? ''];
  const conditions = [`db_connection_id = $${first}`];
  if (query.status !== undefined) {
    values.push(query.status);
    conditions.push(`status = $${first + 1}`);
  }
  return { where: `WHERE ${conditions.join(' AND ')}`, values };
}

/**
 * One statement for a whole page: one row of the exact count of matches and the page, newest
 * first with the id tie-break, as one JSON array text (see `sessionsJsonArray`).
 */
export function listStatement(s: string, query: StoreListQuery): { text: string; values: unknown[]; shape: string } {
  const { where, values, shape } = listFilter(query);
  const limit = `$${values.length + 1}`;
  const offset = `$${values.length + 2}`;
  const total = totalFilter(query, values.length + 3);
  const text = `SELECT (SELECT coalesce(sum(n), 0)::integer FROM ${s}.session_counts ${total.where}) AS total,
  (SELECT ${sessionsJsonArray('p', 'p.created_at DESC, p.id DESC')} FROM (
    SELECT ${SESSION_COLUMNS} FROM ${s}.sessions ${where}
    ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}
  ) p) AS sessions`;
  return { text, values: [...values, query.limit, query.offset, ...total.values], shape };
}
