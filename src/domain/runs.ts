import type { AgentSession, SessionMetadata, SessionStatus } from './session.js';

// The store side of task runs: a run holds a lease (a token and an expiry) on a `running`
// session. Only the holder may renew or end the run; any status change away from `running`
// and any delete drops the lease, which is how a pause wins over a handler that ignores it.

/** Claims a run on an `active` session. */
export interface StartRunRequest {
  token: string;
  /** Lease expiry, ms since the epoch. */
  leaseUntil: number;
  /** ms since the epoch, for `updatedAt`. */
  now: number;
}

/** How a run start ended; on a refusal the current session is returned untouched. */
export type StartRunOutcome =
  | { outcome: 'started'; session: AgentSession; previous: AgentSession }
  | { outcome: 'not_found' }
  | { outcome: 'status_conflict'; session: AgentSession };

/** Ends a run: by its holder (`token`) or by the reaper (`expiredBy`: the lease ran out by then). */
export interface EndRunRequest {
  token?: string;
  expiredBy?: number;
  status: Extract<SessionStatus, 'active' | 'completed' | 'failed'>;
  /** Replaces the metadata (with `expectedVersion`, so no concurrent change is lost). */
  metadata?: SessionMetadata;
  expectedVersion?: number;
  now: number;
}

/** How ending a run went; only `ended` changed anything. */
export type EndRunOutcome =
  | { outcome: 'ended'; session: AgentSession; previous: AgentSession }
  | { outcome: 'not_found' }
  /** The caller does not hold the run any more (paused, deleted, reaped, lease renewed elsewhere). */
  | { outcome: 'not_holder' }
  | { outcome: 'version_conflict'; session: AgentSession };

/** The optional run capability of a store; every method is atomic, like every other write. */
export interface SessionRunStore {
  /** active -> running with a lease, or a refusal; emits a `transitioned` event. */
  startRun(id: string, request: StartRunRequest): Promise<StartRunOutcome>;
  /** Moves the lease expiry; `false` when `token` no longer holds a running session's lease. */
  renewRun(id: string, token: string, leaseUntil: number): Promise<boolean>;
  /** running -> `status` and drops the lease, if the condition holds; emits `transitioned`. */
  endRun(id: string, request: EndRunRequest): Promise<EndRunOutcome>;
  /** Ids of up to `limit` sessions whose lease expired by `now` (from a sorted set: no scan). */
  expiredRuns(now: number, limit: number): Promise<string[]>;
}
