import {
  InvalidTransitionError,
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
import { looksLikeSessionId, newSessionId } from './session-id.js';
import type { SessionPatch, SessionStore, UpdateOutcome } from './session-store.js';
import { statusesThatMayMoveTo } from './state-machine.js';
import { validateCreateInput, validateListQuery, validateUpdateInput } from './validation.js';

/** Options for tests and hosts with special needs; the defaults suit production. */
export interface AgentSessionManagerOptions {
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Makes new ids; defaults to 128 random bits. Must never repeat. */
  generateId?: () => string;
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

  constructor(
    private readonly store: SessionStore,
    options: AgentSessionManagerOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.generateId = options.generateId ?? newSessionId;
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

  /** Resolves when the store is reachable; rejects with `StoreUnavailableError` when not. */
  async checkStore(): Promise<void> {
    await this.store.ping?.();
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
