import { bulkFromStatuses, type BulkStatusFilter } from './bulk-status.js';
import { ForbiddenError, SessionError, SessionNotFoundError, type SessionErrorCode } from './errors.js';
import type { SessionEventListener, Unsubscribe } from './events.js';
import { principalIdempotencyScope, type CreateOptions, type CreateOutcome } from './idempotency.js';
import type { AgentSessionManager } from './manager.js';
import { checkWriteOptions } from './manager.js';
import { dbRestriction, hasScope, mayReachDb, type Principal, type SessionScope } from './principal.js';
import { listAcrossDbs, listFiltered } from './scoped-list.js';
import { NOTHING_VISIBLE, visibleOnly, withinDbs, type SearchNarrowing } from './search-narrowing.js';
import type { SessionFieldName, SessionPruneInput, SessionSearchFilter, SessionSearchPage, SessionSearchQuery } from './search.js';
import { SessionEvents, type SessionSubscribeOptions } from './session-events.js';
import type { SessionStore } from './session-store.js';
import type {
  AgentSession,
  CopySessionInput,
  CreateSessionInput,
  ListSessionsQuery,
  SessionPage,
  UpdateSessionInput,
  WriteOptions,
} from './session.js';
import type { RunTaskOptions, TaskHandler, TaskRunResult } from './task-run.js';
import { validateCopyInput, validateListQuery, validateUpdateInput } from './validation.js';

/** One audited write: who, what, on which session, and how it ended. Never holds a secret. */
export interface AuditEntry {
  principal: string;
  /** `create`, `update`, `delete`, `pause`, `resume`, or another write's name. */
  action: string;
  /** The session written (the new one for `create`); `null` when there is none. */
  sessionId: string | null;
  /** `ok`, or the code of the error the write ended with (`forbidden`, `session_not_found`, …). */
  outcome: 'ok' | SessionErrorCode | 'error';
}

/** Receives one entry per write through a scoped view. */
export type AuditSink = (entry: AuditEntry) => void;

/** Options for `manager.scoped`. */
export interface ScopedManagerOptions {
  /** Told about every write, allowed or refused, once. */
  audit?: AuditSink;
}

/**
 * The manager as one principal sees it: calls outside its scopes throw `ForbiddenError`;
 * sessions of db connections it may not reach do not exist for it (`SessionNotFoundError`, the
 * same as an unknown id), are left out of lists and totals, and never reach its event listeners.
 * Creating a session for such a db throws `ForbiddenError`.
 */
export class ScopedSessionManager {
  private scopedEvents?: SessionEvents;

  constructor(
    private readonly manager: AgentSessionManager,
    private readonly store: SessionStore,
    readonly principal: Principal,
    private readonly options: ScopedManagerOptions = {},
  ) {}

  /** Change events of the sessions this principal may see. */
  get events(): SessionEvents {
    // Made on first use: most views (one per HTTP request) never stream.
    return (this.scopedEvents ??= new ScopedSessionEvents(this.manager.events, this.store, this.principal, this));
  }

  /**
   * Throws `ForbiddenError` unless the principal holds `scope`. Given an `action`, a refusal is
   * audited as that write; for routes that check before calling the view.
   */
  authorize(scope: SessionScope, action?: string, sessionId: string | null = null): void {
    if (hasScope(this.principal, scope)) return;
    const error = new ForbiddenError(`'${this.principal.name}' lacks the scope ${scope} this call needs.`);
    if (action) this.record(action, sessionId, error);
    throw error;
  }

  /** Throws `ForbiddenError` unless the principal may reach sessions of `dbConnectionId`. */
  authorizeDb(dbConnectionId: string): void {
    if (!mayReachDb(this.principal, dbConnectionId)) {
      throw new ForbiddenError(`'${this.principal.name}' may not reach db connection '${dbConnectionId}'.`);
    }
  }

  /** True when the principal may see this session. */
  canSee(session: AgentSession): boolean {
    return mayReachDb(this.principal, session.dbConnectionId);
  }

  /**
   * `manager.create` for a principal with `sessions:write` that may reach the db connection. An
   * `idempotencyKey` is scoped to this principal (by its name): another principal's same key
   * creates its own session and never sees this one.
   */
  async create(input: CreateSessionInput, options: Omit<CreateOptions, 'idempotencyScope'> = {}): Promise<AgentSession> {
    return (await this.createWithOutcome(input, options)).session;
  }

  /** `create`, answering also whether the session came from an earlier create with the same key. */
  async createWithOutcome(input: CreateSessionInput, options: Omit<CreateOptions, 'idempotencyScope'> = {}): Promise<CreateOutcome> {
    const outcome = await this.audited('create', null, async () => {
      this.authorize('sessions:write');
      const db = (input as Partial<CreateSessionInput> | null)?.dbConnectionId;
      if (typeof db === 'string') this.authorizeDb(db);
      const { idempotencyKey } = options;
      // The scope is a digest: only a create with a key needs it.
      const { session, replayed } = await this.manager.createWithOutcome(
        input,
        idempotencyKey === undefined ? {} : { idempotencyKey, idempotencyScope: principalIdempotencyScope(this.principal.name) },
      );
      return { id: session.id, session, replayed };
    });
    return { session: outcome.session, replayed: outcome.replayed };
  }

  /**
   * `manager.copy` for a principal with `sessions:write` that sees the source; the copy keeps the
   * source's db connection, so it stays where the principal may reach. Audited under the new
   * session's id (the source's when it fails).
   */
  async copy(id: string, overrides: CopySessionInput = {}): Promise<AgentSession> {
    try {
      this.authorize('sessions:write');
      validateCopyInput(overrides);
      await this.visibleIfRestricted(id);
      const copy = await this.manager.copy(id, overrides);
      this.record('copy', copy.id);
      return copy;
    } catch (error) {
      this.record('copy', id, error);
      throw error;
    }
  }

  /**
   * `manager.pauseAll` for a principal with `sessions:admin` that may reach the db connection
   * (`ForbiddenError` otherwise, even when no session would move). Audited once as `bulk_pause`.
   */
  pauseAll(filter: BulkStatusFilter): Promise<number> {
    return this.bulk('bulk_pause', filter, ['active', 'running'], () => this.manager.pauseAll(filter));
  }

  /** `manager.resumeAll`, with the checks of `pauseAll`; audited once as `bulk_resume`. */
  resumeAll(filter: BulkStatusFilter): Promise<number> {
    return this.bulk('bulk_resume', filter, ['paused'], () => this.manager.resumeAll(filter));
  }

  /** A page of the sessions this principal sees; `total` counts only those. */
  async list(query: ListSessionsQuery = {}): Promise<SessionPage> {
    this.authorize('sessions:read');
    const restriction = dbRestriction(this.principal);
    if (!restriction) return this.manager.list(query);
    const valid = validateListQuery(query);
    if (valid.dbConnectionId !== undefined) {
      if (mayReachDb(this.principal, valid.dbConnectionId)) return this.manager.list(valid);
      return { sessions: [], total: 0, limit: valid.limit, offset: valid.offset };
    }
    const { exact, prefixes } = restriction;
    if (prefixes.length === 0 && exact.length === 1) return this.manager.list({ ...valid, dbConnectionId: exact[0] });
    if (prefixes.length === 0) return listAcrossDbs(this.store, exact, valid);
    return listFiltered(this.store, (session) => this.canSee(session), valid);
  }

  /**
   * `manager.search` over the sessions this principal sees; `total` counts only those. A filter
   * naming a db connection it may not reach matches nothing (as `list` answers).
   */
  async search<Field extends SessionFieldName = SessionFieldName>(
    query: SessionSearchQuery<Field> = {},
  ): Promise<SessionSearchPage<Pick<AgentSession, Field | 'id'>>> {
    this.authorize('sessions:read');
    return this.manager.searchNarrowed(query, this.narrowingFor(query.dbConnectionId));
  }

  /** `manager.count` of the sessions this principal sees. */
  async count(filter: SessionSearchFilter = {}): Promise<number> {
    this.authorize('sessions:read');
    return this.manager.countNarrowed(filter, this.narrowingFor(filter.dbConnectionId));
  }

  /**
   * `manager.prune` for a principal with `sessions:admin`, audited once as `prune`. A
   * `dbConnectionId` it may not reach is `ForbiddenError`; without one, a principal restricted to
   * some db connections prunes only theirs.
   */
  prune(input: SessionPruneInput): Promise<{ deleted: number }> {
    return this.audited('prune', null, async () => {
      this.authorize('sessions:admin');
      const db = (input as Partial<SessionPruneInput> | null)?.dbConnectionId;
      if (typeof db === 'string') this.authorizeDb(db);
      return this.manager.pruneNarrowed(input, this.narrowingFor(db));
    });
  }

  async get(id: string): Promise<AgentSession> {
    this.authorize('sessions:read');
    return this.visible(id);
  }

  update(id: string, input: UpdateSessionInput, options: WriteOptions = {}): Promise<AgentSession> {
    return this.writeOne('update', id, options, () => this.manager.update(id, input, options), () => validateUpdateInput(input));
  }

  pause(id: string, options: WriteOptions = {}): Promise<AgentSession> {
    return this.writeOne('pause', id, options, () => this.manager.pause(id, options));
  }

  resume(id: string, options: WriteOptions = {}): Promise<AgentSession> {
    return this.writeOne('resume', id, options, () => this.manager.resume(id, options));
  }

  delete(id: string, options: WriteOptions = {}): Promise<void> {
    return this.writeOne('delete', id, options, () => this.manager.delete(id, options));
  }

  /**
   * `manager.runTask` for a principal with `sessions:write` that sees the session; audited as
   * `run` when it settles (the handler's own failure is the run's result, not the call's).
   */
  runTask(id: string, handler: TaskHandler, options: RunTaskOptions = {}): Promise<TaskRunResult> {
    return this.writeOne('run', id, {}, () => this.manager.runTask(id, handler, options));
  }

  /**
   * Runs `write` as one audited action: one entry with its outcome, whether it succeeds or
   * throws. For writes other views add (copy, prune, bulk calls).
   */
  async audited<T>(action: string, sessionId: string | null, write: () => Promise<T>): Promise<T> {
    try {
      const result = await write();
      const id = sessionId ?? (result as { id?: unknown } | undefined)?.id;
      this.record(action, typeof id === 'string' ? id : null);
      return result;
    } catch (error) {
      this.record(action, sessionId, error);
      throw error;
    }
  }

  private bulk(action: string, filter: BulkStatusFilter, movable: AgentSession['status'][], move: () => Promise<number>): Promise<number> {
    return this.audited(action, null, async () => {
      this.authorize('sessions:admin');
      bulkFromStatuses(filter, movable); // a bad filter is a 400, before any db check
      this.authorizeDb(filter.dbConnectionId);
      return move();
    });
  }

  /** The principal's sessions among those a filter on `dbConnectionId` (if a string) asks for. */
  private narrowingFor(dbConnectionId: unknown): SearchNarrowing {
    const restriction = dbRestriction(this.principal);
    if (!restriction) return (port) => port;
    if (typeof dbConnectionId === 'string') return mayReachDb(this.principal, dbConnectionId) ? (port) => port : NOTHING_VISIBLE;
    if (restriction.prefixes.length === 0) return withinDbs(restriction.exact);
    return visibleOnly((session) => this.canSee(session));
  }

  private record(action: string, sessionId: string | null, error?: unknown): void {
    const outcome = error === undefined ? 'ok' : error instanceof SessionError ? error.code : 'error';
    this.options.audit?.({ principal: this.principal.name, action, sessionId, outcome });
  }

  /**
   * A write to one existing session, audited. Checks run in the manager's order (input, then
   * options, then the session), so another db's session fails exactly like an unknown id.
   */
  private writeOne<T>(action: string, id: string, options: WriteOptions, write: () => Promise<T>, validateInput?: () => void): Promise<T> {
    return this.audited(action, id, async () => {
      this.authorize('sessions:write');
      validateInput?.();
      checkWriteOptions(options);
      await this.visibleIfRestricted(id);
      return write();
    });
  }

  private async visible(id: string): Promise<AgentSession> {
    const session = await this.manager.get(id);
    if (!this.canSee(session)) throw new SessionNotFoundError(id);
    return session;
  }

  // A db connection id never changes, so checking it before the write is as good as during it.
  private async visibleIfRestricted(id: string): Promise<void> {
    if (dbRestriction(this.principal)) await this.visible(id);
  }
}

/** `manager.events` filtered to the sessions one principal may see. */
class ScopedSessionEvents extends SessionEvents {
  constructor(
    private readonly all: SessionEvents,
    store: SessionStore,
    private readonly principal: Principal,
    private readonly view: ScopedSessionManager,
  ) {
    super(store);
  }

  override async subscribe(listener: SessionEventListener, filter: SessionSubscribeOptions = {}): Promise<Unsubscribe> {
    this.view.authorize('sessions:read');
    if (!dbRestriction(this.principal)) return this.all.subscribe(listener, filter);
    return this.all.subscribe((event) => {
      if (this.view.canSee(event.session)) listener(event);
    }, filter);
  }

  override listenerCount(): number {
    return this.all.listenerCount();
  }
}
