import type { AgentSession, SessionMode, SessionStatus } from '../../domain/index.js';

// How a session sits in its row: typed columns, `metadata` as jsonb, timestamps as timestamptz.
// A row arrives either as read columns (timestamps as UTC text without a zone) or as
// `to_jsonb(row)` from a write statement (timestamps as ISO text with an offset); `fromRow`
// reads both.

/** The columns of `sessions`, in the order `toRowValues` gives them. */
export const SESSION_COLUMNS = 'id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version';

/**
 * A timestamptz column of `a` as UTC ISO 8601 text without a zone (`to_json` of the UTC time:
 * the same form whatever the connection's DateStyle or TimeZone, trailing zeros of the fraction
 * dropped); `isoTime` completes it.
 */
const utcJson = (a: string, column: string) => `to_json(${a}.${column} AT TIME ZONE 'UTC')`;

/**
 * `SESSION_COLUMNS` of the row or subquery `a` for reading. Times come as `utcJson` text: a Date
 * per time (node-postgres's parsing, then `toISOString`) took a quarter of a page's decoding in
 * Node, and `to_char` in PostgreSQL cost more than the rest of a page's query.
 */
export function sessionReadColumns(a: string): string {
  return `${a}.id, ${a}.db_connection_id, ${a}.status, ${a}.mode, ${a}.recursion_limit, ${a}.title, ${utcJson(a, 'created_at')} AS created_at, ${utcJson(a, 'updated_at')} AS updated_at, ${a}.metadata, ${a}.version`;
}

/**
 * The rows of the subquery `a` as one JSON array text of sessions in `AgentSession`'s shape (its
 * fields in its order), sorted by `order`; `[]` when there are none. Pages are read this way: one
 * text value is decoded by one `JSON.parse` (see `sessionsFromJson`), where rows cost Node a string
 * per column, and `to_json` of each field costs PostgreSQL far less than `json_build_object` with
 * `json_agg` did. One `concat` rather than a chain of `||`: the same work per row, half the
 * planning (a page is planned on every call). Times are `utcJson` text. `concat` reads a NULL as
 * '', so the title, the one column that may be NULL, becomes `null` first.
 */
export function sessionsJsonArray(a: string, order: string): string {
  const object = `concat('{"id":', to_json(${a}.id), ',"dbConnectionId":', to_json(${a}.db_connection_id),
    ',"status":', to_json(${a}.status), ',"mode":', to_json(${a}.mode), ',"recursionLimit":', ${a}.recursion_limit,
    ',"title":', coalesce(to_json(${a}.title)::text, 'null'),
    ',"createdAt":', ${utcJson(a, 'created_at')}, ',"updatedAt":', ${utcJson(a, 'updated_at')},
    ',"metadata":', ${a}.metadata, ',"version":', ${a}.version, '}')`;
  return `coalesce('[' || string_agg(${object}, ',' ORDER BY ${order}) || ']', '[]')`;
}

/** The sessions of a `sessionsJsonArray` text. */
export function sessionsFromJson(text: string): AgentSession[] {
  const sessions = JSON.parse(text) as Array<{ -readonly [K in keyof AgentSession]: AgentSession[K] }>;
  for (const session of sessions) {
    session.createdAt = isoTime(session.createdAt);
    session.updatedAt = isoTime(session.updatedAt);
  }
  return sessions;
}

/** A `sessions` row as a read (`sessionReadColumns`) or `to_jsonb` of a write hands it over. */
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

/** UTC text as `sessionReadColumns` gives it, with 0 to 3 digits of fraction. */
const UTC_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;
const HAS_ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/;

/** ISO 8601 UTC with milliseconds (every stored time is a whole millisecond). */
export function isoTime(value: Date | string): string {
  if (value instanceof Date) return value.toISOString();
  if (UTC_TEXT.test(value)) return value.length === 19 ? `${value}.000Z` : `${value.padEnd(23, '0')}Z`;
  // A write's `to_jsonb` time has its offset; a read time without one is UTC, not local time.
  return new Date(HAS_ZONE.test(value) ? value : `${value}Z`).toISOString();
}
