import { parseDuration } from './duration.js';
import { startPeriodicSweep } from './periodic-sweep.js';
import type { SessionDeleteReason } from './events.js';
import type { SearchPosition, StoreSearchFilter } from './search.js';
import type { SessionStore } from './session-store.js';
import { SESSION_STATUSES, type SessionStatus } from './session.js';

/** How long sessions of each status are kept after their last change (`updatedAt`), in ms. */
export type RetentionPolicy = Partial<Record<SessionStatus, number>>;

/** Options for `manager.startRetentionSweeper`. */
export interface RetentionSweeperOptions {
  /** How often to sweep, in ms (default 60 s). */
  intervalMs?: number;
  /** Gets errors of a sweep (the store may be away); the sweeper keeps going. Default: ignore. */
  onError?: (error: unknown) => void;
}

/** A running sweeper; `stop` ends it (a sweep in progress finishes on its own). */
export interface RetentionSweeper {
  stop(): void;
  /** Sweeps now (or joins the sweep in progress); resolves with how many sessions it deleted. */
  sweep(): Promise<number>;
}

/** How often the retention sweeper runs unless told otherwise. */
export const DEFAULT_RETENTION_SWEEP_INTERVAL_MS = 60_000;
/** Sessions read and deleted per batch of a bulk deletion. */
export const BULK_DELETE_BATCH = 100;

/** `30d`, `12h`, `15m` or `90s` in ms; throws a TypeError naming `what` otherwise. */
export function durationMs(text: string, what = 'duration'): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new TypeError(`${what} must be a whole number from 1 followed by s, m, h or d (such as 30d), got '${text}'.`);
  return ms;
}

/** `completed:7d,failed:30d` as a policy; throws a TypeError naming the bad part. */
export function parseRetention(text: string): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const part of text.split(',').map((item) => item.trim()).filter(Boolean)) {
    const [status, duration, ...rest] = part.split(':');
    if (!SESSION_STATUSES.includes(status as SessionStatus) || duration === undefined || rest.length > 0) {
      throw new TypeError(`'${part}' is not <status>:<duration> with a status of ${SESSION_STATUSES.join(', ')}.`);
    }
    policy[status as SessionStatus] = durationMs(duration, `the duration of '${status}'`);
  }
  return policy;
}

/** Checks a policy given as `{ completed: '7d' }` or ms, and returns it in ms. */
export function checkRetention(raw: Partial<Record<string, string | number>> | string | undefined): RetentionPolicy {
  if (raw === undefined) return {};
  if (typeof raw === 'string') return parseRetention(raw);
  const policy: RetentionPolicy = {};
  for (const [status, value] of Object.entries(raw)) {
    if (!SESSION_STATUSES.includes(status as SessionStatus)) throw new TypeError(`retention: '${status}' is not a status.`);
    const ms = typeof value === 'number' ? value : durationMs(String(value), `retention.${status}`);
    if (!Number.isSafeInteger(ms) || ms < 1) throw new TypeError(`retention.${status} must be a positive duration.`);
    policy[status as SessionStatus] = ms;
  }
  return policy;
}

type BulkStore = Required<Pick<SessionStore, 'search' | 'delete'>>;

/**
 * Deletes every session matching `filter`, oldest `updatedAt` first, in batches read with a
 * keyset cursor. Each delete is conditional on the version the batch read, so a session changed
 * in between (and so no longer old) is left alone, and many instances may run this at once: each
 * session is deleted, with its event, exactly once. Resolves with how many this call deleted.
 */
export async function deleteMatching(store: BulkStore, filter: StoreSearchFilter, reason: SessionDeleteReason): Promise<number> {
  let deleted = 0;
  let after: SearchPosition | undefined;
  for (;;) {
    const page = await store.search({ filter, sortBy: 'updatedAt', sortOrder: 'asc', limit: BULK_DELETE_BATCH, after, skipTotal: true });
    for (const session of page.sessions) {
      const result = await store.delete(session.id, { expectedVersion: session.version, reason });
      if (result.outcome === 'deleted') deleted++;
    }
    const last = page.sessions.at(-1);
    if (!page.hasMore || !last) return deleted;
    after = { at: Date.parse(last.updatedAt), id: last.id };
  }
}

/** Deletes, per status of the policy, the sessions whose last change is older than its duration at `now`. */
export async function sweepRetention(store: BulkStore, policy: RetentionPolicy, now: number): Promise<number> {
  let deleted = 0;
  for (const [status, keepMs] of Object.entries(policy) as [SessionStatus, number][]) {
    deleted += await deleteMatching(store, { statuses: [status], updatedBefore: now - keepMs }, 'retention');
  }
  return deleted;
}

/** Sweeps at once and then every `intervalMs`; sweeps never overlap. */
export function startRetentionSweeper(
  store: BulkStore,
  policy: RetentionPolicy,
  now: () => Promise<number>,
  options: RetentionSweeperOptions = {},
): RetentionSweeper {
  const { intervalMs = DEFAULT_RETENTION_SWEEP_INTERVAL_MS, onError = () => {} } = options;
  return startPeriodicSweep(async () => sweepRetention(store, policy, await now()), intervalMs, onError, () => 0);
}
