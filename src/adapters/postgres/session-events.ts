import type { SessionDeleteReason, SessionEvent, SessionEventType, SessionStatus } from '../../domain/index.js';
import { fromRow, isoTime, type SessionRow } from './session-row.js';

// How a change event sits in `session_events` and how its id is spelled: `<xid>-<id>`, the
// writing transaction's id and the row's serial. Events are read in that order (see
// event-feed.ts); the id is opaque to users, who pass it back as Last-Event-ID.

const MAX_BIGINT = 2n ** 63n - 1n;
const EVENT_ID = /^([0-9]{1,20})-([0-9]{1,20})$/;

/** A position in the event table: after this (xid, id). */
export interface EventCursor {
  xid: bigint;
  id: bigint;
}

/** A `session_events` row as the feed's read statement gives it. */
export interface EventRow {
  id: string;
  xid: string;
  type: string;
  previous_status: string | null;
  session: SessionRow;
  reason?: string | null;
  at: Date;
}

/** The cursor an event id stands for, or undefined when it is not an id of this store. */
export function parseEventId(id: string | undefined): EventCursor | undefined {
  const match = id === undefined ? null : EVENT_ID.exec(id);
  if (!match) return undefined;
  const cursor = { xid: BigInt(match[1]), id: BigInt(match[2]) };
  // Beyond what bigint holds: never issued by this store.
  return cursor.xid > MAX_BIGINT || cursor.id > MAX_BIGINT ? undefined : cursor;
}

/** True when cursor `a` comes after `b`. */
export function cursorAfter(a: EventCursor, b: EventCursor): boolean {
  return a.xid !== b.xid ? a.xid > b.xid : a.id > b.id;
}

export function toSessionEvent(row: EventRow): SessionEvent {
  return {
    id: `${row.xid}-${row.id}`,
    type: row.type as SessionEventType,
    session: fromRow(row.session),
    previousStatus: row.previous_status as SessionStatus | null,
    at: isoTime(row.at),
    ...(row.reason ? { reason: row.reason as SessionDeleteReason } : {}),
  };
}

/** The statements of the event feed for the (quoted) schema `s`. */
export function eventStatements(s: string) {
  return {
    /** The oldest transaction still running: every event written from now on has an xid at or above it. */
    start: 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    /**
     * $1 xid, $2 id of the cursor; $3 batch size. Events after the cursor in (xid, id) order, and
     * the oldest running transaction: only events below it are final (no earlier one can still
     * commit), so only those are delivered. One row with null event columns when there are none.
     */
    read: `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, e.id::text AS id, e.xid::text AS xid,
  e.type, e.previous_status, e.session, e.at, e.reason
FROM (SELECT 1) one LEFT JOIN LATERAL (
  SELECT * FROM ${s}.session_events WHERE (xid, id) > ($1::xid8, $2::bigint) ORDER BY xid, id LIMIT $3
) e ON true`,
    /** The serials of the oldest and newest events kept (null when there are none); from the primary key. */
    bounds: `SELECT min(id)::text AS oldest, max(id)::text AS newest FROM ${s}.session_events`,
    /** $1 how many to keep. Drops the oldest events beyond that (ids are serial, so about that many). */
    trim: `DELETE FROM ${s}.session_events WHERE id <= (SELECT max(id) FROM ${s}.session_events) - $1`,
  };
}
