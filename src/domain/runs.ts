import type { AgentSession, SessionMetadata, SessionStatus } from './session.js';

// The store side of task runs: a run holds a lease (a token and an expiry) on a `running`
// session. Only the holder may renew or end the run; any status change away from `running`
// and any delete drops the lease, which is how a pause wins over a handler that ignores it.
// Lease expiry is judged by the STORE's clock only: runners and reapers on hosts whose clocks
// disagree still agree on whether a lease has run out.

/** Claims a run on an `active` session. */
export interface StartRunRequest {
  token: string;
  /** Lease length in ms; the store sets the expiry from its own clock plus this. */
  leaseMs: number;
  /** ms since the epoch, for `updatedAt` only. */
  now: number;
}

/** How a run start ended; on a refusal the current session is returned untouched. */
export type StartRunOutcome =
  | { outcome: 'started'; session: AgentSession; previous: AgentSession }
  | { outcome: 'not_found' }
  | { outcome: 'status_conflict'; session: AgentSession };

/** Ends a run: by its holder (`token`) or by the reaper (`expired`: the lease has run out by the store's clock). */
export interface EndRunRequest {
  token?: string;
  expired?: true;
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
  /** Sets the lease expiry to the store's clock + `leaseMs`; `false` when `token` no longer holds the run. */
  renewRun(id: string, token: string, leaseMs: number): Promise<boolean>;
  /** running -> `status` and drops the lease, if the condition holds; emits `transitioned`. */
  endRun(id: string, request: EndRunRequest): Promise<EndRunOutcome>;
  /** Ids of up to `limit` sessions whose lease has expired by the store's clock (from an index: no scan). */
  expiredRuns(limit: number): Promise<string[]>;
}
