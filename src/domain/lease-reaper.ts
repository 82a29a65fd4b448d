import type { AgentSession } from './session.js';
import type { SessionStore } from './session-store.js';
import { endAsFailed, runCapable } from './task-run.js';

/** Options for `startLeaseReaper`. */
export interface LeaseReaperOptions {
  /** How often to look for expired leases, in ms (default 5 s). */
  intervalMs?: number;
  /** Gets errors of a sweep (the store may be away); the reaper keeps going. Default: ignore. */
  onError?: (error: unknown) => void;
}

/** A running reaper; `stop` ends it (a sweep in progress finishes on its own). */
export interface LeaseReaper {
  stop(): void;
  /** Sweeps now (or joins the sweep in progress); resolves with the sessions it failed. */
  sweep(): Promise<AgentSession[]>;
}

/** How often a reaper sweeps unless told otherwise. */
export const DEFAULT_REAPER_INTERVAL_MS = 5_000;
const BATCH = 100;

/** Why a reaped session failed, under `metadata.last_error`. */
export const LEASE_EXPIRED_MESSAGE =
  'The task lease expired: the process running this session stopped renewing it (it crashed, hung or lost the store).';

/** Moves every `running` session whose lease expired (by the store's clock) to `failed`; returns them. */
export async function reapExpiredRuns(store: SessionStore, clock: () => number): Promise<AgentSession[]> {
  const runs = runCapable(store);
  const reaped: AgentSession[] = [];
  for (;;) {
    const ids = await runs.expiredRuns(BATCH);
    for (const id of ids) {
      // `clock` only stamps `updatedAt`; the store re-checks expiry by its own clock.
      const ended = await endAsFailed(runs, clock, id, { expired: true }, LEASE_EXPIRED_MESSAGE);
      if (ended.outcome === 'ended') reaped.push(ended.session);
    }
    if (ids.length < BATCH) return reaped;
  }
}

/** Sweeps at once and then every `intervalMs`; sweeps never overlap. */
export function startLeaseReaper(store: SessionStore, clock: () => number, options: LeaseReaperOptions = {}): LeaseReaper {
  runCapable(store);
  const { intervalMs = DEFAULT_REAPER_INTERVAL_MS, onError = () => {} } = options;
  let current: Promise<AgentSession[]> | undefined;
  const sweep = (): Promise<AgentSession[]> => {
    current ??= reapExpiredRuns(store, clock)
      .catch((error: unknown) => {
        onError(error);
        return [];
      })
      .finally(() => (current = undefined));
    return current;
  };
  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
