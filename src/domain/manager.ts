import {
  InvalidTransitionError,
  NotSupportedError,
  SessionNotFoundError,
  StoreUnavailableError,
  ValidationError,
  VersionConflictError,
} from './errors.js';
import type {
  AgentSession,
  CreateSessionInput,
  ListSessionsQuery,
  SessionPage,
  SessionStatus,
  UpdateSessionInput,
  WriteOptions,
} from './session.js';
import type { SessionFieldName, SessionPruneInput, SessionSearchFilter, SessionSearchPage, SessionSearchQuery } from './search.js';
import { decodeCursor, encodeCursor, searchFingerprint } from './search-cursor.js';
import { validateCountFilter, validatePruneInput, validateSearchQuery } from './search-validation.js';
import {
  checkRetention,
  deleteMatching,
  startRetentionSweeper,
  type RetentionPolicy,
  type RetentionSweeper,
  type RetentionSweeperOptions,
} from './retention.js';
import { projectSession } from './search-projection.js';
import { startLeaseReaper, type LeaseReaper, type LeaseReaperOptions } from './lease-reaper.js';
import { SessionEvents } from './session-events.js';
import { looksLikeSessionId, newSessionId } from './session-id.js';
import type { SessionPatch, SessionStore, UpdateOutcome } from './session-store.js';
import { statusesThatMayMoveTo } from './state-machine.js';
import { runTask, type RunTaskOptions, type TaskHandler, type TaskRunResult } from './task-run.js';
import { validateCreateInput, validateListQuery, validateUpdateInput } from './validation.js';

/** Options for tests and hosts with special needs; the defaults suit production. */
export interface AgentSessionManagerOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Makes new ids; defaults to 128 random bits. Must never repeat. */
  generateId?: () => string;
  /**
   * How long sessions are kept after their last change, per status, for the retention sweeper:
   * `{ completed: '7d', failed: '30d' }` (units s, m, h, d, or ms as numbers) or the same as
   * `'completed:7d,failed:30d'`. Default: kept forever.
   */
  retention?: Partial<Record<SessionStatus, string | number>> | string;
}

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
  private readonly customClock: boolean;
  /** The retention policy in ms per status (empty: keep forever). */
  readonly retention: RetentionPolicy;
  /** Change events of every session (needs a store with `subscribe`). */
  readonly events: SessionEvents;

  constructor(
    private readonly store: SessionStore,
    options: AgentSessionManagerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.generateId = options.generateId ?? newSessionId;
    this.customClock = options.clock !== undefined;
    this.retention = Object.freeze(checkRetention(options.retention));
    this.events = new SessionEvents(store);
  }

  /** Creates an `active` session with the documented defaults and returns it. */
  async create(input: CreateSessionInput): Promise<AgentSession> {
    const valid = validateCreateInput(input);
    const now = new Date(this.clock()).toISOString();
    for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
      const session: AgentSession = {
        id: this.generateId(),
        ...valid,
        status: 'active',
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      if (await this.store.insert(session)) return session;
    }
    throw new StoreUnavailableError('Could not find an unused session id; the id generator repeats itself.');
  }

  /** One page of sessions, newest first, with the exact number of matches in `total`. */
  async list(query: ListSessionsQuery = {}): Promise<SessionPage> {
    const valid = validateListQuery(query);
    const { sessions, total } = await this.store.list(valid);
    return { sessions, total, limit: valid.limit, offset: valid.offset };
  }

  /**
   * One page of the sessions matching the filter, sorted (default newest `createdAt` first, ties
   * by id), with the exact `total` and a keyset `nextCursor` for the next page (`null` on the
   * last). Metadata filters may use the store's `indexedMetadataKeys` only.
   */
  async search<Field extends SessionFieldName = SessionFieldName>(
    query: SessionSearchQuery<Field> = {},
  ): Promise<SessionSearchPage<Pick<AgentSession, Field | 'id'>>> {
    const search = this.searchStore();
    const valid = validateSearchQuery(query, search.indexedMetadataKeys);
    const fingerprint = searchFingerprint(valid.filter, valid.sortBy, valid.sortOrder);
    const after = valid.cursor === undefined ? undefined : decodeCursor(valid.cursor, fingerprint);
    const { sessions, hasMore, total } = await search.search({ ...valid, after });
    const last = sessions.at(-1);
    const nextCursor =
      hasMore && last ? encodeCursor(fingerprint, { at: Date.parse(last[valid.sortBy]), id: last.id }) : null;
    const projected = valid.select ? sessions.map((session) => projectSession(session, valid.select as Field[])) : sessions;
    return { sessions: projected, nextCursor, total };
  }

  /** The exact number of sessions matching the filter (the fields of a search filter). */
  async count(filter: SessionSearchFilter = {}): Promise<number> {
    const search = this.searchStore();
    return search.count(validateCountFilter(filter, search.indexedMetadataKeys));
  }

  /**
   * Deletes every session matching the filter and, with `olderThan` (such as `30d`), last changed
   * longer ago than that. Batched; each `deleted` event has `reason: 'prune'`. Refuses an empty
   * input (which would delete everything). Resolves with how many sessions it deleted.
   */
  async prune(input: SessionPruneInput): Promise<{ deleted: number }> {
    const search = this.searchStore();
    const filter = validatePruneInput(input, search.indexedMetadataKeys, this.clock());
    return { deleted: await deleteMatching({ search: search.search, delete: this.store.delete.bind(this.store) }, filter, 'prune') };
  }

  /**
   * Deletes, at once and then every `intervalMs` (default 60 s), the sessions the `retention`
   * option says are expired, in batches, with `reason: 'retention'` on their `deleted` events.
   * Expiry is judged by the store's clock (Redis TIME), so instances with skewed clocks agree,
   * unless the manager was given its own `clock`. Safe to run on every instance.
   */
  startRetentionSweeper(options: RetentionSweeperOptions = {}): RetentionSweeper {
    const search = this.searchStore();
    const store = this.store;
    const now = store.now && !this.customClock ? () => (store.now as () => Promise<number>).call(store) : async () => this.clock();
    return startRetentionSweeper({ search: search.search, delete: store.delete.bind(store) }, this.retention, now, options);
  }

  /** The session with this id; throws `SessionNotFoundError` when there is none. */
  async get(id: string): Promise<AgentSession> {
    const session = looksLikeSessionId(id) ? await this.store.get(id) : undefined;
    if (!session) throw new SessionNotFoundError(id);
    return session;
  }

  /**
   * Changes title, status and/or metadata in one atomic step. A status change follows the state
   * machine; asking for the status the session already has changes nothing. An empty update
   * returns the session unchanged.
   */
  async update(id: string, input: UpdateSessionInput, options: WriteOptions = {}): Promise<AgentSession> {
    const patch = validateUpdateInput(input);
    const allowedFromStatuses = patch.status ? [patch.status, ...statusesThatMayMoveTo(patch.status)] : undefined;
    return this.apply(id, patch, allowedFromStatuses, options);
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
    if (!looksLikeSessionId(id)) throw new SessionNotFoundError(id);
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
    if (!looksLikeSessionId(id)) return Promise.reject(new SessionNotFoundError(id));
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

  /** Resolves when the store is reachable; rejects with `StoreUnavailableError` when not. */
  async checkStore(): Promise<void> {
    await this.store.ping?.();
  }

  /** True when the store supports `search` and `count`. */
  get supportsSearch(): boolean {
    return typeof this.store.search === 'function' && typeof this.store.count === 'function';
  }

  private searchStore(): Required<Pick<SessionStore, 'search' | 'count' | 'indexedMetadataKeys'>> {
    const { store } = this;
    if (!store.search || !store.count) throw new NotSupportedError('search');
    return {
      search: store.search.bind(store),
      count: store.count.bind(store),
      indexedMetadataKeys: store.indexedMetadataKeys ?? [],
    };
  }

  private async apply(
    id: string,
    patch: SessionPatch,
    allowedFromStatuses: readonly SessionStatus[] | undefined,
    options: WriteOptions,
  ): Promise<AgentSession> {
    checkWriteOptions(options);
    if (!looksLikeSessionId(id)) throw new SessionNotFoundError(id);
    const result = await this.store.update(id, patch, {
      expectedVersion: options.ifVersion,
      allowedFromStatuses,
      now: this.clock(),
    });
    return sessionOrThrow(id, patch, options, result);
  }
}

function checkWriteOptions(options: WriteOptions): void {
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
