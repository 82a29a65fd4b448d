import type { IdempotencyClaim, InsertOnceOutcome } from './idempotency.js';
import type { SessionDeleteReason, SessionEventListener, StoreSubscribeOptions, Unsubscribe } from './events.js';
import type { SessionRunStore } from './runs.js';
import type { StoreSearchFilter, StoreSearchQuery, StoreSearchResult } from './search.js';
import type { AgentSession, SessionMetadata, SessionStatus } from './session.js';

/** Filters and paging a store applies; the manager has already validated and defaulted them. */
export interface StoreListQuery {
  dbConnectionId?: string;
  status?: SessionStatus;
  limit: number;
  offset: number;
}

/** A page as a store returns it: newest `createdAt` first, ties by `id` descending. */
export interface StoreListResult {
  sessions: AgentSession[];
  total: number;
}

/** The fields an update may set; a field that is absent is left as it is. */
export interface SessionPatch {
  title?: string | null;
  status?: SessionStatus;
  metadata?: SessionMetadata;
}

/** When an update may be applied; the store checks all of it atomically with the write. */
export interface UpdateCondition {
  /** Apply only while the session is at this version. */
  expectedVersion?: number;
  /** With `patch.status`: apply only while the current status is one of these. */
  allowedFromStatuses?: readonly SessionStatus[];
  /** Milliseconds since the epoch; a real change sets `updatedAt` to max(now, previous + 1 ms). */
  now: number;
  /**
   * With `patch.status: 'running'` (and a run store): the session ends up running with no run
   * holding it, so the store gives it a lease with no token of this many ms by the STORE's clock,
   * or renews that lease when the session is already running that way (a run's lease is left
   * alone). The reaper fails it once the lease runs out, so nobody-runs-it cannot last forever.
   */
  runLeaseMs?: number;
}

/** How an update ended; on a conflict the current session is returned untouched. */
export type UpdateOutcome =
  | { outcome: 'updated'; session: AgentSession; previous: AgentSession }
  | { outcome: 'unchanged'; session: AgentSession }
  | { outcome: 'not_found' }
  | { outcome: 'version_conflict'; session: AgentSession }
  | { outcome: 'status_conflict'; session: AgentSession };

/** When a delete may be applied, and what its event says. */
export interface DeleteCondition {
  /** Apply only while the session is at this version. */
  expectedVersion?: number;
  /** Recorded as `reason` on the `deleted` event (bulk deletions only). */
  reason?: SessionDeleteReason;
}

/** How a delete ended. */
export type DeleteOutcome =
  | { outcome: 'deleted'; session: AgentSession }
  | { outcome: 'not_found' }
  | { outcome: 'version_conflict'; session: AgentSession };

/**
 * The storage port. A store persists sessions and keeps them listable without scanning; it
 * knows no business rules. Every write is atomic: the condition is checked and the change
 * applied as one step, so two callers (or two processes sharing a backend) can never both win
 * a conflicting write and no update is lost. The manager never reads, modifies and writes back.
 *
 * Behaviour every store must have is defined by the contract suite in `agent-sessions/testing`.
 *
 * Three capabilities are optional, so a minimal store stays small: change events (`subscribe`),
 * task runs (`SessionRunStore`, needed by `manager.runTask`) and search (`search`, `count` and
 * `indexedMetadataKeys`, needed by `manager.search` and `manager.count`). A store that has them emits exactly
 * one event per real change (insert, `updated` update, delete, run start and end), recorded
 * atomically with the change itself, and none for refusals or `unchanged` outcomes. Every built-in
 * store has all three; the contract suite checks them when present.
 */
export interface SessionStore extends Partial<SessionRunStore> {
  /** Adds a new session; resolves `false` (and changes nothing) when the id already exists. */
  insert(session: AgentSession): Promise<boolean>;
  /**
   * Optional (needed for idempotent create): inserts `session` and records `claim` under
   * `claim.key` for `claim.ttlMs`, as one atomic step, unless an unexpired record exists under
   * that key: then it answers that record and changes nothing. So of many concurrent calls with
   * one key (in any process sharing the backend) exactly one inserts. A store may bound how many
   * records it keeps; it documents the bound.
   */
  insertOnce?(session: AgentSession, claim: IdempotencyClaim): Promise<InsertOnceOutcome>;
  /** The session with this id, or `undefined`. */
  get(id: string): Promise<AgentSession | undefined>;
  /** One page of matching sessions and the exact number that match, using indexes only. */
  list(query: StoreListQuery): Promise<StoreListResult>;
  /**
   * Applies `patch` if `condition` holds. Only a real change (a field that differs) bumps
   * `version` by one and moves `updatedAt`; otherwise the outcome is `unchanged`.
   * Checks run in this order: exists, `expectedVersion`, `allowedFromStatuses`.
   */
  update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome>;
  /** Removes the session (and every index entry of it) if it is at `expectedVersion`, when given. */
  delete(id: string, condition?: DeleteCondition): Promise<DeleteOutcome>;
  /**
   * Calls `listener` with every event recorded from now on (or after `options.after`), in order.
   * Resolves once the subscription is live: every change made after that is delivered.
   */
  subscribe?(listener: SessionEventListener, options?: StoreSubscribeOptions): Promise<Unsubscribe>;
  /**
   * The top-level metadata keys this store indexes for search (declared by the host, like
   * Temporal's search attributes). A search may filter on these keys only.
   */
  readonly indexedMetadataKeys?: readonly string[];
  /**
   * One page of the sessions matching `query.filter`, in the asked order, strictly after
   * `query.after`, with the exact total. Reads indexes: the cost of a page does not grow with how
   * deep it is, nor with sessions outside the db connection, status set, indexed metadata value
   * and time range of the filter. Index entries change atomically with every write.
   */
  search?(query: StoreSearchQuery): Promise<StoreSearchResult>;
  /** The exact number of sessions matching `filter`, from the same indexes as `search`. */
  count?(filter: StoreSearchFilter): Promise<number>;
  /** The backend's own clock in ms (Redis: TIME), so instances with skewed clocks judge retention alike. */
  now?(): Promise<number>;
  /** Resolves when the backend answers; rejects with `StoreUnavailableError` when it does not. */
  ping?(): Promise<void>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
