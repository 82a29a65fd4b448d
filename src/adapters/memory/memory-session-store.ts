import type {
  AgentSession,
  DeleteCondition,
  DeleteOutcome,
  EndRunOutcome,
  EndRunRequest,
  IdempotencyClaim,
  InsertOnceOutcome,
  SessionEventListener,
  SessionPatch,
  SessionRunStore,
  SessionStore,
  StartRunOutcome,
  StartRunRequest,
  StoreSubscribeOptions,
  Unsubscribe,
  StoreListQuery,
  StoreListResult,
  StoreSearchFilter,
  StoreSearchQuery,
  StoreSearchResult,
  UpdateCondition,
  UpdateOutcome,
} from '../../domain/index.js';
import { IdempotencyRecords } from './idempotency-records.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemorySearchIndex } from './memory-search-index.js';

/** Options for `MemorySessionStore`. */
export interface MemorySessionStoreOptions {
  /** Recent events kept for subscribers resuming with `after` (default 10,000). */
  eventRetention?: number;
  /** Top-level metadata keys that `search` and `count` may filter on (default none). */
  indexedMetadataKeys?: readonly string[];
  /** Most bytes of recent events kept (each about its session's JSON; default 64 MiB); the older go first. */
  eventRetentionBytes?: number;
  /**
   * Most idempotency keys kept (default 100,000); beyond it the oldest are forgotten early, and a
   * retry with a forgotten key creates a new session.
   */
  idempotencyMaxKeys?: number;
  /** The store's clock for run leases, ms since the epoch (default `Date.now`); for tests. */
  clock?: () => number;
}

interface Run {
  token: string;
  leaseUntil: number;
}

/**
 * The embedded default store: sessions in a Map, listed and searched through sorted indexes (for
 * all sessions, per db connection, per status and per both, by created and by updated time), so a
 * page never scans sessions that do not match. Each method runs synchronously to completion, which
 * makes every write atomic.
 * Stored sessions are deep-frozen, so what callers get back can never change the store.
 * Events go to in-process subscribers; run leases live in a map of the (few) running sessions.
 */
export class MemorySessionStore implements SessionStore, SessionRunStore {
  private readonly sessions = new Map<string, AgentSession>();
  private readonly runs = new Map<string, Run>();
  private readonly events: MemoryEventLog;
  private readonly searchIndex: MemorySearchIndex;
  private readonly idempotency: IdempotencyRecords;
  private readonly clock: () => number;

  constructor(options: MemorySessionStoreOptions = {}) {
    this.events = new MemoryEventLog({ events: options.eventRetention, bytes: options.eventRetentionBytes });
    this.searchIndex = new MemorySearchIndex(options.indexedMetadataKeys);
    this.idempotency = new IdempotencyRecords(options.idempotencyMaxKeys);
    this.clock = options.clock ?? Date.now;
  }

  get indexedMetadataKeys(): readonly string[] {
    return this.searchIndex.indexedMetadataKeys;
  }

  async insert(session: AgentSession): Promise<boolean> {
    return this.insertNow(session);
  }

  // No await between the check and the insert: that is what makes the claim atomic.
  async insertOnce(session: AgentSession, claim: IdempotencyClaim): Promise<InsertOnceOutcome> {
    const record = this.idempotency.get(claim.key, claim.now);
    if (record) return { outcome: 'replayed', record };
    if (!this.insertNow(session)) return { outcome: 'id_taken' };
    this.idempotency.set(claim.key, deepFreeze(structuredClone(claim.record)), claim.now + claim.ttlMs, claim.now);
    return { outcome: 'inserted' };
  }

  private insertNow(session: AgentSession): boolean {
    if (this.sessions.has(session.id)) return false;
    this.sessions.set(session.id, deepFreeze(session));
    this.searchIndex.add(session);
    this.events.record('created', session, null);
    return true;
  }

  async get(id: string): Promise<AgentSession | undefined> {
    return this.sessions.get(id);
  }

  async list(query: StoreListQuery): Promise<StoreListResult> {
    const { ids, total } = this.searchIndex.listPage(query.dbConnectionId, query.status, query.offset, query.limit);
    return { sessions: ids.map(this.sessionOf), total };
  }

  async search(query: StoreSearchQuery): Promise<StoreSearchResult> {
    return this.searchIndex.search(query, this.sessionOf);
  }

  async count(filter: StoreSearchFilter): Promise<number> {
    return this.searchIndex.count(filter, this.sessionOf);
  }

  private readonly sessionOf = (id: string): AgentSession => this.sessions.get(id) as AgentSession;

  async update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome> {
    const current = this.sessions.get(id);
    if (!current) return { outcome: 'not_found' };
    if (condition.expectedVersion !== undefined && condition.expectedVersion !== current.version) {
      return { outcome: 'version_conflict', session: current };
    }
    if (patch.status !== undefined && condition.allowedFromStatuses && !condition.allowedFromStatuses.includes(current.status)) {
      return { outcome: 'status_conflict', session: current };
    }
    const next = applyPatch(current, patch, condition.now);
    const result: UpdateOutcome = next
      ? { outcome: 'updated', session: this.replace(current, next), previous: current }
      : { outcome: 'unchanged', session: current };
    if (patch.status === 'running' && condition.runLeaseMs !== undefined) this.leaseUnheldRun(id, condition.runLeaseMs);
    return result;
  }

  async delete(id: string, condition: DeleteCondition = {}): Promise<DeleteOutcome> {
    const session = this.sessions.get(id);
    if (!session) return { outcome: 'not_found' };
    if (condition.expectedVersion !== undefined && condition.expectedVersion !== session.version) {
      return { outcome: 'version_conflict', session };
    }
    this.sessions.delete(id);
    this.searchIndex.remove(session);
    this.runs.delete(id);
    this.events.record('deleted', session, session.status, condition.reason);
    return { outcome: 'deleted', session };
  }

  /** Change events kept for resuming right now, and their size (bounded by the retention options). */
  get retainedEvents(): { events: number; bytes: number } {
    return this.events.retained;
  }

  async subscribe(listener: SessionEventListener, options?: StoreSubscribeOptions): Promise<Unsubscribe> {
    return this.events.subscribe(listener, options);
  }

  /** Event listeners subscribed right now (for leak checks). */
  get listenerCount(): number {
    return this.events.listenerCount;
  }

  async startRun(id: string, request: StartRunRequest): Promise<StartRunOutcome> {
    const previous = this.sessions.get(id);
    if (!previous) return { outcome: 'not_found' };
    if (previous.status !== 'active') return { outcome: 'status_conflict', session: previous };
    const session = this.replace(previous, changed(previous, { status: 'running' }, request.now));
    this.runs.set(id, { token: request.token, leaseUntil: this.clock() + request.leaseMs });
    return { outcome: 'started', session, previous };
  }

  async renewRun(id: string, token: string, leaseMs: number): Promise<boolean> {
    const run = this.runs.get(id);
    if (run?.token !== token) return false;
    run.leaseUntil = this.clock() + leaseMs;
    return true;
  }

  async endRun(id: string, request: EndRunRequest): Promise<EndRunOutcome> {
    const previous = this.sessions.get(id);
    const run = this.runs.get(id);
    if (!previous) return { outcome: 'not_found' };
    const expired = request.expired === true && run !== undefined && run.leaseUntil <= this.clock();
    const holds = request.token !== undefined ? run?.token === request.token : expired;
    if (!holds || previous.status !== 'running') {
      if (expired) this.runs.delete(id);
      return { outcome: 'not_holder' };
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== previous.version) {
      return { outcome: 'version_conflict', session: previous };
    }
    const fields = { status: request.status, metadata: request.metadata ?? previous.metadata };
    return { outcome: 'ended', session: this.replace(previous, changed(previous, fields, request.now)), previous };
  }

  async expiredRuns(limit: number): Promise<string[]> {
    const now = this.clock();
    const expired: string[] = [];
    for (const [id, run] of this.runs) {
      if (expired.length === limit) break;
      if (run.leaseUntil <= now) expired.push(id);
    }
    return expired;
  }

  /** The store's clock (the one leases use). */
  async now(): Promise<number> {
    return this.clock();
  }

  /** Gives a running session that no run holds (token '') a lease, or renews it; a run's own lease stays. */
  private leaseUnheldRun(id: string, leaseMs: number): void {
    const run = this.runs.get(id);
    if (run && run.token !== '') return;
    this.runs.set(id, { token: '', leaseUntil: this.clock() + leaseMs });
  }

  /** Always reachable: it lives in this process. */
  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  /** Stores `next` in place of `current`, moving indexes, dropping a run, emitting the event. */
  private replace(current: AgentSession, next: AgentSession): AgentSession {
    const statusChanged = next.status !== current.status;
    this.searchIndex.remove(current);
    this.sessions.set(current.id, deepFreeze(next));
    this.searchIndex.add(next);
    // Whoever moves a session out of running (pause, delete, PATCH) takes the run's lease away.
    if (statusChanged && current.status === 'running') this.runs.delete(current.id);
    this.events.record(statusChanged ? 'transitioned' : 'updated', next, current.status);
    return next;
  }
}

/** The patched session, or `undefined` when the patch changes nothing. */
function applyPatch(current: AgentSession, patch: SessionPatch, now: number): AgentSession | undefined {
  const title = patch.title !== undefined ? patch.title : current.title;
  const status = patch.status ?? current.status;
  const metadata = patch.metadata ?? current.metadata;
  const differs =
    title !== current.title ||
    status !== current.status ||
    (metadata !== current.metadata && JSON.stringify(metadata) !== JSON.stringify(current.metadata));
  if (!differs) return undefined;
  return changed(current, { title, status, metadata }, now);
}

/** `current` with `fields` set, one version on, `updatedAt` moved forward. */
function changed(current: AgentSession, fields: Partial<AgentSession>, now: number): AgentSession {
  const updatedAt = new Date(Math.max(now, Date.parse(current.updatedAt) + 1)).toISOString();
  return { ...current, ...fields, updatedAt, version: current.version + 1 };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
