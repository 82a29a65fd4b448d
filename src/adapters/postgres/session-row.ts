import type { AgentSession, SessionMode, SessionStatus } from '../../domain/index.js';

// How a session sits in its row: typed columns, `metadata` as jsonb, timestamps as timestamptz.
// A row arrives either as columns (timestamps as Date) or as `to_jsonb(row)` from a write
// statement (timestamps as ISO text); `fromRow` reads both.

/** The columns of `sessions`, in the order `toRowValues` gives them. */
export const SESSION_COLUMNS = 'id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version';

/** A timestamptz column of `a` as ISO 8601 UTC text with milliseconds, the form `AgentSession` holds. */
const isoText = (a: string, column: string) => `to_char(${a}.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const iso = (a: string, column: string) => `${isoText(a, column)} AS ${column}`;

/**
 * `SESSION_COLUMNS` of the row or subquery `a` for reading, the times already ISO text:
 * formatting them in PostgreSQL is cheaper than node-postgres parsing each into a Date and the
 * store formatting it back, which took about half of a page's decoding in Node.
 */
export function sessionReadColumns(a: string): string {
  return `${a}.id, ${a}.db_connection_id, ${a}.status, ${a}.mode, ${a}.recursion_limit, ${a}.title, ${iso(a, 'created_at')}, ${iso(a, 'updated_at')}, ${a}.metadata, ${a}.version`;
}

/**
 * The row or subquery `a` as a JSON object of `AgentSession`'s shape (its fields in its order),
 * built by PostgreSQL: a page of them aggregated into one JSON array is decoded by one
 * `JSON.parse` in Node, rather than column by column and row by row.
 */
export function sessionJson(a: string): string {
  return `json_build_object('id', ${a}.id, 'dbConnectionId', ${a}.db_connection_id, 'status', ${a}.status, 'mode', ${a}.mode,
    'recursionLimit', ${a}.recursion_limit, 'title', ${a}.title, 'createdAt', ${isoText(a, 'created_at')},
    'updatedAt', ${isoText(a, 'updated_at')}, 'metadata', ${a}.metadata, 'version', ${a}.version)`;
}

/** A `sessions` row as node-postgres or `to_jsonb` hands it over. */
export interface SessionRow {
  id: string;
  db_connection_id: string;
  status: string;
  mode: string;
  recursion_limit: number;
  title: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  metadata: AgentSession['metadata'];
  version: number;
}

/** The session as the parameters of an INSERT of `SESSION_COLUMNS`. */
export function toRowValues(session: AgentSession): unknown[] {
  return [
    session.id,
    session.dbConnectionId,
    session.status,
    session.mode,
    session.recursionLimit,
    session.title,
    session.createdAt,
    session.updatedAt,
    // Text, not the object: node-postgres would send an array as a PostgreSQL array.
    JSON.stringify(session.metadata),
    session.version,
  ];
}

/** The session of a row. */
export function fromRow(row: SessionRow): AgentSession {
  return {
    id: row.id,
    dbConnectionId: row.db_connection_id,
    status: row.status as SessionStatus,
    mode: row.mode as SessionMode,
    recursionLimit: row.recursion_limit,
    title: row.title,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    metadata: row.metadata,
    version: row.version,
  };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ISO 8601 UTC with milliseconds; every stored time is a whole millisecond. */
export function isoTime(value: Date | string): string {
  if (typeof value === 'string' && ISO_UTC.test(value)) return value; // from sessionReadColumns
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
