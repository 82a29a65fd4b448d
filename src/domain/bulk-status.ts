import { ValidationError, type ValidationIssue } from './errors.js';
import { LIMITS } from './limits.js';
import type { SessionStatus } from './session.js';
import type { SessionStore } from './session-store.js';

/** Which sessions `pauseAll` and `resumeAll` move: all of one db connection, optionally of one status. */
export interface BulkStatusFilter {
  dbConnectionId: string;
  /** `pauseAll`: `active` or `running` (default both). `resumeAll`: `paused` (the default). */
  status?: SessionStatus;
}

/** Sessions moved per batch: one page read from the (db connection, status) index, then one write each. */
export const BULK_BATCH_SIZE = 100;

/** Checks a bulk filter and answers the statuses to move sessions from. */
export function bulkFromStatuses(raw: unknown, movable: readonly SessionStatus[]): SessionStatus[] {
  const issues: ValidationIssue[] = [];
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null) issues.push({ path: '', message: 'filter must be an object' });
  for (const key of Object.keys(input)) {
    if (key !== 'dbConnectionId' && key !== 'status') issues.push({ path: key, message: 'is not a known field' });
  }
  const { dbConnectionId, status } = input;
  if (dbConnectionId === undefined) issues.push({ path: 'dbConnectionId', message: 'is required' });
  else if (typeof dbConnectionId !== 'string' || dbConnectionId.length < 1 || dbConnectionId.length > LIMITS.dbConnectionIdMaxLength) {
    issues.push({ path: 'dbConnectionId', message: `must be a string of 1-${LIMITS.dbConnectionIdMaxLength} characters` });
  }
  if (status !== undefined && !movable.includes(status as SessionStatus)) {
    issues.push({ path: 'status', message: `must be one of ${movable.join(', ')}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return status === undefined ? [...movable] : [status as SessionStatus];
}

/**
 * Moves every session of `dbConnectionId` whose status is one of `from` to `to`, batch by batch
 * from the indexes, and answers how many it moved. Each move is the store's ordinary atomic,
 * conditional update (with its event), so a concurrent single pause or resume still has exactly
 * one winner: whichever loses counts nothing. Every listed session leaves the index it was listed
 * from (moved here or elsewhere), so each round makes progress; the sweep ends when no matching
 * session is left. A session created while it runs is moved or not, depending on whether a
 * later page still finds it.
 */
export async function moveAll(
  store: SessionStore,
  clock: () => number,
  dbConnectionId: string,
  from: readonly SessionStatus[],
  to: SessionStatus,
): Promise<number> {
  let moved = 0;
  let previousPage = '';
  for (;;) {
    const pages = await Promise.all(from.map((status) => store.list({ dbConnectionId, status, limit: BULK_BATCH_SIZE, offset: 0 })));
    const ids = pages.flatMap((page) => page.sessions.map((session) => session.id));
    // A page identical to the last one means the store's index did not move: stop rather than spin.
    const page = ids.join(',');
    if (ids.length === 0 || page === previousPage) return moved;
    previousPage = page;
    const outcomes = await Promise.all(
      ids.map((id) => store.update(id, { status: to }, { allowedFromStatuses: from, now: clock() })),
    );
    moved += outcomes.filter((outcome) => outcome.outcome === 'updated').length;
  }
}
