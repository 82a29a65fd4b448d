import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import type { SearchPosition, SearchSortField, SearchSortOrder, StoreSearchFilter } from './search.js';

// A cursor is the position after the last session of a page plus a fingerprint of the filter
// and sort it was made for, base64url-encoded. It is opaque to callers; the fingerprint is what
// lets a cursor used with another filter or sort be refused instead of answering nonsense.

const CURSOR_VERSION = 1;

/** A short digest of the filter and sort, the same for every way of writing the same filter. */
export function searchFingerprint(filter: StoreSearchFilter, sortBy: SearchSortField, sortOrder: SearchSortOrder): string {
  const canonical = {
    db: filter.dbConnectionId ?? null,
    statuses: filter.statuses ? [...new Set(filter.statuses)].sort() : null,
    modes: filter.modes ? [...new Set(filter.modes)].sort() : null,
    metadata: filter.metadata ? Object.keys(filter.metadata).sort().map((key) => [key, filter.metadata?.[key]]) : null,
    times: [filter.createdAfter, filter.createdBefore, filter.updatedAfter, filter.updatedBefore].map((t) => t ?? null),
    sortBy,
    sortOrder,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

/** The cursor that continues after `position` for the search with this fingerprint. */
export function encodeCursor(fingerprint: string, position: SearchPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, fingerprint, position.at, position.id])).toString('base64url');
}

/** The position in `cursor`; a malformed cursor or one made for another search is a ValidationError on `cursor`. */
export function decodeCursor(cursor: string, fingerprint: string): SearchPosition {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 4 || parts[0] !== CURSOR_VERSION ||
    typeof parts[1] !== 'string' || !Number.isSafeInteger(parts[2]) || (parts[2] as number) < 0 ||
    typeof parts[3] !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(parts[3])) {
    throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this API issued' }]);
  }
  if (parts[1] !== fingerprint) {
    throw new ValidationError([{ path: 'cursor', message: 'was made for another filter or sort; start again without a cursor' }]);
  }
  return { at: parts[2] as number, id: parts[3] as string };
}
