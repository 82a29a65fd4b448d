import type { SessionStatus } from './session.js';

/** Stable, machine-readable codes for every error the library raises on purpose. */
export type SessionErrorCode =
  | 'session_not_found'
  | 'invalid_input'
  | 'invalid_transition'
  | 'version_conflict'
  | 'store_unavailable'
  | 'not_supported'
  | 'forbidden'
  | 'events_overflow'
  | 'idempotency_key_reused';

/** Base class of every error the manager raises on purpose; `code` never changes meaning. */
export abstract class SessionError extends Error {
  abstract readonly code: SessionErrorCode;
}

/** No session has this id (never created, or deleted). */
export class SessionNotFoundError extends SessionError {
  readonly code = 'session_not_found';
  constructor(readonly sessionId: string) {
    super(`Agent session '${sessionId}' does not exist.`);
    this.name = 'SessionNotFoundError';
  }
}

/** One problem with one input field; `path` names the field (dotted for nested metadata). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** At most this many issues are listed; the rest are only counted, so a huge bad input gets a small answer. */
export const MAX_REPORTED_ISSUES = 20;

/** The input was refused; `issues` names the bad fields (the first `MAX_REPORTED_ISSUES` of them). */
export class ValidationError extends SessionError {
  readonly code = 'invalid_input';
  readonly issues: ValidationIssue[];
  /** Issues found beyond the ones listed in `issues`. */
  readonly omittedIssues: number;

  constructor(issues: ValidationIssue[], omitted = 0) {
    const listed = issues.slice(0, MAX_REPORTED_ISSUES);
    const omittedIssues = issues.length - listed.length + omitted;
    const text = listed.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
    super(omittedIssues > 0 ? `${text}; and ${omittedIssues} more` : text);
    this.name = 'ValidationError';
    this.issues = listed;
    this.omittedIssues = omittedIssues;
  }
}

/** The state machine forbids moving this session from its current status to the one asked for. */
export class InvalidTransitionError extends SessionError {
  readonly code = 'invalid_transition';
  constructor(
    readonly sessionId: string,
    readonly from: SessionStatus,
    readonly to: SessionStatus,
    reason?: string,
  ) {
    super(reason ?? `Agent session '${sessionId}' cannot go from '${from}' to '${to}'.`);
    this.name = 'InvalidTransitionError';
  }
}

/** The session changed since the version the caller based its write on. */
export class VersionConflictError extends SessionError {
  readonly code = 'version_conflict';
  constructor(
    readonly sessionId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(`Agent session '${sessionId}' has changed: it is now at version ${actualVersion}, not the one this write was based on.`);
    this.name = 'VersionConflictError';
  }
}

/** The store could not be reached; nothing was changed by this call, or it cannot be known. */
export class StoreUnavailableError extends SessionError {
  readonly code = 'store_unavailable';
  constructor(message = 'The session store is unavailable.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A write was sent but the store did not confirm it in time (a timeout, or the connection went
 * away after sending): it may or may not have been applied. Read before writing again; retrying
 * blindly can apply it twice (a second session on create).
 */
export class WriteOutcomeUnknownError extends StoreUnavailableError {
  constructor(message = 'The session store did not confirm this write in time; it may or may not have been applied.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WriteOutcomeUnknownError';
  }
}

/** The store has no support for an optional capability (change events or task runs). */
export class NotSupportedError extends SessionError {
  readonly code = 'not_supported';
  constructor(readonly capability: string) {
    super(`The session store does not support ${capability}.`);
    this.name = 'NotSupportedError';
  }
}

/** The caller's scopes or db connections do not cover this call. */
export class ForbiddenError extends SessionError {
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * A `manager.events.stream()` loop fell more than its `maxQueued` events behind and was stopped
 * rather than buffered for without end; open a new stream with `after: lastEventId` to go on.
 */
export class EventsOverflowError extends SessionError {
  readonly code = 'events_overflow';
  constructor(
    readonly maxQueued: number,
    /** The id of the last event the loop received, if any. */
    readonly lastEventId: string | undefined,
  ) {
    super(`The event loop fell more than ${maxQueued} events behind and was stopped; resume after its last event.`);
    this.name = 'EventsOverflowError';
  }
}

/** An idempotency key was used again, within its TTL, with different create input. */
export class IdempotencyKeyReusedError extends SessionError {
  readonly code = 'idempotency_key_reused';
  constructor(readonly sessionId: string) {
    super(`This idempotency key already created agent session '${sessionId}' from a different request; use a new key for a new request.`);
    this.name = 'IdempotencyKeyReusedError';
  }
}
