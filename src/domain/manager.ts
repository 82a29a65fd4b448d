import { bulkFromStatuses, moveAll, type BulkStatusFilter } from './bulk-status.js';
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotSupportedError,
  SessionNotFoundError,
  StoreUnavailableError,
  ValidationError,
  VersionConflictError,
  WriteOutcomeUnknownError,
} from './errors.js';
import {
  checkIdempotencyKey,
  createFingerprint,
  DEFAULT_IDEMPOTENCY_TTL_MS,
  idempotencyStoreKey,
  type CreateOptions,
  type CreateOutcome,
  type IdempotencyClaim,
} from './idempotency.js';
import type {
  AgentSession,
  CopySessionInput,
  CreateSessionInput,
  ListSessionsQuery,
  SessionPage,
  SessionStatus,
  UpdateSessionInput,
  WriteOptions,
} from './session.js';
import type { Principal } from './principal.js';
import { ScopedSessionManager, type ScopedManagerOptions } from './scoped-manager.js';
import { startLeaseReaper, type LeaseReaper, type LeaseReaperOptions } from './lease-reaper.js';
import { SessionEvents } from './session-events.js';
import { looksLikeCustomId, looksLikeSessionId, newSessionId } from './session-id.js';
import type { SessionPatch, SessionStore, UpdateOutcome } from './session-store.js';
import { statusesThatMayMoveTo } from './state-machine.js';
import { runTask, type RunTaskOptions, type TaskHandler, type TaskRunResult } from './task-run.js';
import { validateCopyInput, validateCreateInput, validateListQuery, validateUpdateInput } from './validation.js';

/** Options for tests and hosts with special needs; the defaults suit production. */
export interface AgentSessionManagerOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /**
   * Makes new ids; defaults to 128 random bits (`sess_...`). Must never repeat, and each id must
   * be 1-128 URL-safe characters (`A-Z a-z 0-9 _ . ~ -`, not dots alone), so it works as a path segment as it is.
   */
  generateId?: () => string;
  /** How long `create` remembers an idempotency key, in ms (default 24 h). */
  idempotencyTtlMs?: number;
  /**
   * Lease of a session moved to `running` by `update` (not by `runTask`), in ms (default 10 min):
   * the lease reaper fails it unless `update` names `running` again before it runs out.
   */
  runningLeaseMs?: number;
}

/** How long a session set to `running` by an update stays so without another such update. */
export const DEFAULT_RUNNING_LEASE_MS = 10 * 60_000;

const PAUSABLE: readonly SessionStatus[] = ['active', 'running'];
const RESUMABLE: readonly SessionStatus[] = ['paused'];
// Random ids practically never collide; a store that still reports one gets a few fresh tries.
const MAX_ID_ATTEMPTS = 5;

/**
 * Creates, lists, reads, updates, deletes, pauses and resumes agent sessions. Holds every rule
 * (validation, the status state machine); the store only persists, atomically.
 */
export class AgentSessionManager {
  private readonly clock: () => number;
  private readonly generateId: () => string;
  private readonly idempotencyTtlMs: number;
  /** A cheap check that rules out ids this manager could never have made, before any store call. */
  private readonly couldBeId: (id: string) => boolean;
  private readonly runningLeaseMs: number;
  /** Change events of every session (needs a store with `subscribe`). */
  readonly events: SessionEvents;

  constructor(
    private readonly store: SessionStore,
    options: AgentSessionManagerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.generateId = options.generateId ?? newSessionId;
    this.idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    if (!Number.isSafeInteger(this.idempotencyTtlMs) || this.idempotencyTtlMs < 1) {
      throw new TypeError(`idempotencyTtlMs must be a positive integer, got ${this.idempotencyTtlMs}.`);
    }
    this.couldBeId = options.generateId ? looksLikeCustomId : looksLikeSessionId;
    this.runningLeaseMs = options.runningLeaseMs ?? DEFAULT_RUNNING_LEASE_MS;
    if (!Number.isSafeInteger(this.runningLeaseMs) || this.runningLeaseMs < 1) {
      throw new TypeError(`runningLeaseMs must be a positive integer, got ${this.runningLeaseMs}.`);
    }
    this.events = new SessionEvents(store);
  }

  /**
   * Creates an `active` session with the documented defaults and returns it. With an
   * `idempotencyKey`, a retry with the same input returns the first session instead (see
   * `CreateOptions`; `createWithOutcome` also says whether it was a replay).
   */
  async create(input: CreateSessionInput, options: CreateOptions = {}): Promise<AgentSession> {
    return (await this.createWithOutcome(input, options)).session;
  }

  /** `create`, answering also whether the session came from an earlier create with the same key. */
  async createWithOutcome(input: CreateSessionInput, options: CreateOptions = {}): Promise<CreateOutcome> {
    const valid = validateCreateInput(input);
    const key = options.idempotencyKey === undefined ? undefined : checkIdempotencyKey(options.idempotencyKey);
    if (key !== undefined && !this.store.insertOnce) throw new NotSupportedError('idempotent create');
    const now = this.clock();
    const at = new Date(now).toISOString();
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const id = this.generateId();
      if (typeof id !== 'string' || !this.couldBeId(id)) {
        // A session under such an id could never be read back: refuse before storing it.
        throw new TypeError(`generateId returned ${JSON.stringify(id)}; an id must be 1-128 characters of A-Z a-z 0-9 _ . ~ - (not dots alone).`);
      }
      const session: AgentSession = {
        id,
        ...valid,
        status: 'active',
        createdAt: at,
        updatedAt: at,
        version: 1,
      };
      if (key === undefined) {
        if (await this.insertOrExplain(session, () => this.store.insert(session))) return { session, replayed: false };
        continue;
      }
      const claim: IdempotencyClaim = {
        key: idempotencyStoreKey(key, options.idempotencyScope),
        record: { fingerprint: createFingerprint(valid), session },
        ttlMs: this.idempotencyTtlMs,
        now,
      };
      const result = await this.insertOrExplain(session, () => this.store.insertOnce!(session, claim));
      if (result.outcome === 'inserted') return { session, replayed: false };
      if (result.outcome === 'replayed') {
        const first = result.record;
        if (first.fingerprint !== claim.record.fingerprint) throw new IdempotencyKeyReusedError(first.session.id);
        return { session: first.session, replayed: true };
      }
    }
    throw new StoreUnavailableError('Could not find an unused session id; the id generator repeats itself.');
  }

  /**
   * Creates a new `active` session with the source's db connection, mode, recursion limit, title
   * and metadata; `title` and `metadata` in `overrides` replace the source's (`null` clears).
   */
  async copy(id: string, overrides: CopySessionInput = {}): Promise<AgentSession> {
    const changes = validateCopyInput(overrides);
    const source = await this.get(id);
    const { dbConnectionId, mode, recursionLimit, title, metadata } = source;
    return this.create({ dbConnectionId, mode, recursionLimit, title, metadata, ...changes });
  }

  /**
   * Emergency stop: pauses every `active` and `running` session of `filter.dbConnectionId` (only
   * those of `filter.status` when given) and answers how many it paused. Running tasks, in any
   * process sharing the store, see their abort signal. Works in batches of `BULK_BATCH_SIZE`.
   */
  async pauseAll(filter: BulkStatusFilter): Promise<number> {
    const from = bulkFromStatuses(filter, PAUSABLE);
    return moveAll(this.store, this.clock, filter.dbConnectionId, from, 'paused');
  }

  /** Resumes every `paused` session of `filter.dbConnectionId` and answers how many it resumed. */
  async resumeAll(filter: BulkStatusFilter): Promise<number> {
    const from = bulkFromStatuses(filter, RESUMABLE);
    return moveAll(this.store, this.clock, filter.dbConnectionId, from, 'active');
  }

  /** One page of sessions, newest first, with the exact number of matches in `total`. */
  async list(query: ListSessionsQuery = {}): Promise<SessionPage> {
    const valid = validateListQuery(query);
    const { sessions, total } = await this.store.list(valid);
    return { sessions, total, limit: valid.limit, offset: valid.offset };
  }

  /** The session with this id; throws `SessionNotFoundError` when there is none. */
  async get(id: string): Promise<AgentSession> {
    const session = this.couldBeId(id) ? await this.store.get(id) : undefined;
    if (!session) throw new SessionNotFoundError(id);
    return session;
  }

  /**
   * Changes title, status and/or metadata in one atomic step. A status change follows the state
   * machine; asking for the status the session already has changes nothing. An empty update
   * returns the session unchanged. Naming `running` gives the session a lease of
   * `runningLeaseMs` (or renews it), so a session nobody runs any more is failed by the reaper.
   */
  async update(id: string, input: UpdateSessionInput, options: WriteOptions = {}): Promise<AgentSession> {
    const patch = validateUpdateInput(input);
    const allowedFromStatuses = patch.status ? [patch.status, ...statusesThatMayMoveTo(patch.status)] : undefined;
    const runLeaseMs = patch.status === 'running' ? this.runningLeaseMs : undefined;
    return this.apply(id, patch, allowedFromStatuses, options, runLeaseMs);
  }

  /** Moves an `active` or `running` session to `paused`; anything else is an invalid transition. */
  async pause(id: string, options: WriteOptions = {}): Promise<AgentSession> {
    return this.apply(id, { status: 'paused' }, PAUSABLE, options);
  }

  /** Moves a `paused` session back to `active`; anything else is an invalid transition. */
  async resume(id: string, options: WriteOptions = {}): Promise<AgentSession> {
    return this.apply(id, { status: 'active' }, RESUMABLE, options);
  }

  /** Deletes the session; a second delete of the same id throws `SessionNotFoundError`. */
  async delete(id: string, options: WriteOptions = {}): Promise<void> {
    checkWriteOptions(options);
    if (!this.couldBeId(id)) throw new SessionNotFoundError(id);
    const result = await this.store.delete(id, { expectedVersion: options.ifVersion });
    if (result.outcome === 'not_found') throw new SessionNotFoundError(id);
    if (result.outcome === 'version_conflict') {
      throw new VersionConflictError(id, options.ifVersion as number, result.session.version);
    }
  }

  /**
   * Runs `handler` as the session's one task: moves it `active` -> `running` atomically (throwing
   * `InvalidTransitionError` when it is not `active`, e.g. another run holds it, in any process),
   * then on settle to `active` (`completed` with `{ done: true }`) or, when the handler throws, to
   * `failed` with the message in `metadata.last_error`. Pausing, deleting or otherwise moving the
   * session aborts `signal`; the run then changes nothing. A lease, renewed while the handler
   * runs, lets `startLeaseReaper` fail the session if this process dies.
   */
  runTask(id: string, handler: TaskHandler, options: RunTaskOptions = {}): Promise<TaskRunResult> {
    if (!this.couldBeId(id)) return Promise.reject(new SessionNotFoundError(id));
    return runTask(this.store, this.clock, id, handler, options);
  }

  /** Fails `running` sessions whose lease expired, at once and then every `intervalMs`. */
  startLeaseReaper(options: LeaseReaperOptions = {}): LeaseReaper {
    return startLeaseReaper(this.store, this.clock, options);
  }

  /** True when the store supports task runs (and so `runTask` and `startLeaseReaper`). */
  get supportsTasks(): boolean {
    return typeof this.store.startRun === 'function' && this.events.supported;
  }

  /**
   * This manager as `principal` sees it: its scopes and db connections applied to every call,
   * every write reported to `options.audit`. The manager itself stays unscoped.
   */
  scoped(principal: Principal, options: ScopedManagerOptions = {}): ScopedSessionManager {
    return new ScopedSessionManager(this, this.store, principal, options);
  }

  /** Resolves when the store is reachable; rejects with `StoreUnavailableError` when not. */
  async checkStore(): Promise<void> {
    await this.store.ping?.();
  }

  /** Inserts; a timed-out insert names the session that may now exist, so the caller checks before retrying. */
  /** Runs one insert of `session`; a write the store sent but never confirmed names the session. */
  private async insertOrExplain<T>(session: AgentSession, insert: () => Promise<T>): Promise<T> {
    try {
      return await insert();
    } catch (error) {
      if (!(error instanceof WriteOutcomeUnknownError)) throw error;
      throw new WriteOutcomeUnknownError(
        `The session store did not confirm the create in time: agent session '${session.id}' may or may not exist. ` +
          'Read it (or list the db connection) before creating again.',
        { cause: error },
      );
    }
  }

  private async apply(
    id: string,
    patch: SessionPatch,
    allowedFromStatuses: readonly SessionStatus[] | undefined,
    options: WriteOptions,
    runLeaseMs?: number,
  ): Promise<AgentSession> {
    checkWriteOptions(options);
    if (!this.couldBeId(id)) throw new SessionNotFoundError(id);
    const result = await this.store.update(id, patch, {
      expectedVersion: options.ifVersion,
      allowedFromStatuses,
      now: this.clock(),
      ...(runLeaseMs === undefined ? {} : { runLeaseMs }),
    });
    return sessionOrThrow(id, patch, options, result);
  }
}

/** Throws `ValidationError` for an `ifVersion` that is not a positive integer. */
export function checkWriteOptions(options: WriteOptions): void {
  const { ifVersion } = options;
  if (ifVersion !== undefined && (!Number.isSafeInteger(ifVersion) || ifVersion < 1)) {
    throw new ValidationError([{ path: 'ifVersion', message: 'must be a positive integer' }]);
  }
}

function sessionOrThrow(id: string, patch: SessionPatch, options: WriteOptions, result: UpdateOutcome): AgentSession {
  switch (result.outcome) {
    case 'updated':
    case 'unchanged':
      return result.session;
    case 'not_found':
      throw new SessionNotFoundError(id);
    case 'version_conflict':
      throw new VersionConflictError(id, options.ifVersion as number, result.session.version);
    case 'status_conflict': {
      const from = result.session.status;
      const to = patch.status as SessionStatus;
      const reason =
        from === to
          ? `Agent session '${id}' is already '${to}'.`
          : `Agent session '${id}' cannot go from '${from}' to '${to}'.`;
      throw new InvalidTransitionError(id, from, to, reason);
    }
  }
}
