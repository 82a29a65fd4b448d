import type { AgentSession, SessionStatus } from './session.js';

/** What happened to a session: a status change is `transitioned`, any other real change `updated`. */
export const SESSION_EVENT_TYPES = ['created', 'updated', 'transitioned', 'deleted'] as const;
/** One of `SESSION_EVENT_TYPES`. */
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/**
 * One change to one session, as the store recorded it. Events of one store are totally ordered
 * by `id` (across processes for a shared backend); a resuming subscriber passes the last id it saw.
 */
export interface SessionEvent {
  /** Opaque, increasing within one store; usable as SSE `id:` and as `after` to resume. */
  readonly id: string;
  readonly type: SessionEventType;
  /** The session after the change; for `deleted`, the session as it was when removed. */
  readonly session: AgentSession;
  /** The status before the change; `null` for `created`. */
  readonly previousStatus: SessionStatus | null;
  /** ISO 8601 UTC time at which the store recorded the change. */
  readonly at: string;
}

/** Receives events; a listener that throws is ignored (it cannot break a write or other listeners). */
export type SessionEventListener = (event: SessionEvent) => void;

/** Stops a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/** Where a store subscription starts. */
export interface StoreSubscribeOptions {
  /**
   * Deliver the events recorded after this event id first (as far as the store still holds
   * them), then live ones. Absent, not an id of this store, or an id it has not issued yet:
   * live events only.
   */
  after?: string;
  /**
   * Called once, before any replayed event, when `after` is older than every event the store
   * still retains: the events in between were dropped and cannot be replayed. The subscription
   * goes on with what is retained, then live events; the subscriber should reload its state.
   */
  onMissed?: () => void;
  /** Aborting it stops a replay in progress (the subscriber gave up); unsubscribe still applies. */
  signal?: AbortSignal;
}
