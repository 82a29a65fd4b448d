import type { AgentSession, SessionMode, SessionStatus } from '../../domain/index.js';

// How a session sits in its row: typed columns, `metadata` as jsonb, timestamps as timestamptz.
// A row arrives either as columns (timestamps as Date) or as `to_jsonb(row)` from a write
// statement (timestamps as ISO text); `fromRow` reads both.

/** The columns of `sessions`, in the order `toRowValues` gives them. */
export const SESSION_COLUMNS = 'id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version';

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

/** ISO 8601 UTC with milliseconds; every stored time is a whole millisecond. */
export function isoTime(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
