import pg from 'pg';
import { StoreUnavailableError, ValidationError, WriteOutcomeUnknownError } from '../../domain/index.js';

/** A node-postgres pool: the store's own or the host's. */
export type PostgresPool = pg.Pool;

/** How long getting a connection may take before the call fails; part of the "fail fast" bound. */
export const CONNECT_TIMEOUT_MS = 2000;
/** How long one statement may take, measured by the client, before the call fails. */
export const QUERY_TIMEOUT_MS = 5000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,55}$/;

/** Checks a schema name: lower-case letters, digits and `_`, so it never needs quoting rules. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new TypeError(`A PostgreSQL schema name must be 1-56 characters of a-z, 0-9 and _, not starting with a digit, got '${schema}'.`);
  }
  return schema;
}

/**
 * A pool for `url` that fails fast while PostgreSQL is away (a connection attempt gives up after
 * CONNECT_TIMEOUT_MS, a statement after QUERY_TIMEOUT_MS) and reconnects by itself: a broken
 * connection leaves the pool and the next call opens a new one.
 */
export function createPool(url: string, size: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  // Errors reach callers as StoreUnavailableError; this only stops an idle connection that
  // breaks (PostgreSQL restarted) from crashing the process.
  pool.on('error', () => {});
  return pool;
}

// SQLSTATE classes that mean "cannot serve this right now" rather than a fault in a statement:
// 08 connection exception, 53 insufficient resources, 57P01-57P05 shutdown or starting up.
const UNAVAILABLE_STATES = /^(08|53|57P0)/;
// PostgreSQL text cannot hold U+0000: invalid byte sequence (22021) or unsupported escape (22P05).
const NUL_STATES = new Set(['22021', '22P05']);

/**
 * The error a store call should reject with: connection trouble and "not now" states become
 * `StoreUnavailableError` (the original kept as `cause`); text PostgreSQL cannot store is a
 * `ValidationError`; any other database error is a real fault and stays as it is.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || error instanceof ValidationError) return error;
  const state = error instanceof pg.DatabaseError ? error.code : undefined;
  if (state !== undefined && NUL_STATES.has(state)) {
    return new ValidationError([{ path: 'title/metadata', message: 'must not contain the character U+0000 (PostgreSQL cannot store it)' }]);
  }
  if (state !== undefined && !UNAVAILABLE_STATES.test(state)) return error;
  return new StoreUnavailableError(undefined, { cause: error });
}

/**
 * Like `toStoreError`, for a write sent on a connection that was open: when PostgreSQL gave no
 * answer (the client's statement timeout, or the connection dropped while waiting), the write may
 * still commit, so the caller hears "outcome unknown" rather than "nothing happened, try again".
 * An answer from the server (any SQLSTATE) means the statement's transaction did not commit.
 */
export function toWriteError(error: unknown): unknown {
  const mapped = toStoreError(error);
  if (!(mapped instanceof StoreUnavailableError) || mapped instanceof WriteOutcomeUnknownError) return mapped;
  if (error instanceof pg.DatabaseError || mapped === error) return mapped;
  return new WriteOutcomeUnknownError(undefined, { cause: error });
}
