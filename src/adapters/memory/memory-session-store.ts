import type {
  AgentSession,
  DeleteOutcome,
  SessionPatch,
  SessionStore,
  StoreListQuery,
  StoreListResult,
  UpdateCondition,
  UpdateOutcome,
} from '../../domain/index.js';
import { SortedIndex } from './sorted-index.js';

interface Entry {
  session: AgentSession;
  /** The session's sort key, shared by reference by every index that holds it. */
  key: string;
}

// ISO timestamps from Date#toISOString are 24 characters, so the id starts right after.
const ID_OFFSET_IN_KEY = 24;

/**
 * The embedded default store: sessions in a Map, listed through sorted indexes for all
 * sessions, per db connection, per status and per both, so a page never scans sessions that do
 * not match. Each method runs synchronously to completion, which makes every write atomic.
 * Stored sessions are deep-frozen, so what callers get back can never change the store.
 */
export class MemorySessionStore implements SessionStore {
  private readonly entries = new Map<string, Entry>();
  private readonly indexes = new Map<string, SortedIndex>();

  async insert(session: AgentSession): Promise<boolean> {
    if (this.entries.has(session.id)) return false;
    const entry = { session: deepFreeze(session), key: session.createdAt + session.id };
    this.entries.set(session.id, entry);
    this.index(entry, 'add');
    return true;
  }

  async get(id: string): Promise<AgentSession | undefined> {
    return this.entries.get(id)?.session;
  }

  async list(query: StoreListQuery): Promise<StoreListResult> {
    const index = this.indexes.get(indexName(query.dbConnectionId, query.status));
    if (!index) return { sessions: [], total: 0 };
    const sessions = index
      .newestFirst(query.offset, query.limit)
      .map((key) => (this.entries.get(key.slice(ID_OFFSET_IN_KEY)) as Entry).session);
    return { sessions, total: index.size };
  }

  async update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome> {
    const entry = this.entries.get(id);
    if (!entry) return { outcome: 'not_found' };
    const current = entry.session;
    if (condition.expectedVersion !== undefined && condition.expectedVersion !== current.version) {
      return { outcome: 'version_conflict', session: current };
    }
    if (patch.status !== undefined && condition.allowedFromStatuses && !condition.allowedFromStatuses.includes(current.status)) {
      return { outcome: 'status_conflict', session: current };
    }
    const next = applyPatch(current, patch, condition.now);
    if (!next) return { outcome: 'unchanged', session: current };
    if (next.status !== current.status) this.index(entry, 'remove');
    entry.session = deepFreeze(next);
    if (next.status !== current.status) this.index(entry, 'add');
    return { outcome: 'updated', session: entry.session, previous: current };
  }

  async delete(id: string, condition: { expectedVersion?: number } = {}): Promise<DeleteOutcome> {
    const entry = this.entries.get(id);
    if (!entry) return { outcome: 'not_found' };
    if (condition.expectedVersion !== undefined && condition.expectedVersion !== entry.session.version) {
      return { outcome: 'version_conflict', session: entry.session };
    }
    this.entries.delete(id);
    this.index(entry, 'remove');
    return { outcome: 'deleted', session: entry.session };
  }

  /** Always reachable: it lives in this process. */
  async ping(): Promise<void> {}

  async close(): Promise<void> {}

  private index(entry: Entry, change: 'add' | 'remove'): void {
    const { dbConnectionId, status } = entry.session;
    for (const name of indexNamesOf(dbConnectionId, status)) {
      let index = this.indexes.get(name);
      if (change === 'add') {
        if (!index) this.indexes.set(name, (index = new SortedIndex()));
        index.add(entry.key);
      } else if (index) {
        index.remove(entry.key);
        if (index.size === 0) this.indexes.delete(name);
      }
    }
  }
}

function indexName(dbConnectionId?: string, status?: string): string {
  return `${status ?? ''}\u0000${dbConnectionId ?? ''}`;
}

function indexNamesOf(dbConnectionId: string, status: string): string[] {
  return [indexName(), indexName(dbConnectionId), indexName(undefined, status), indexName(dbConnectionId, status)];
}

/** The patched session, or `undefined` when the patch changes nothing. */
function applyPatch(current: AgentSession, patch: SessionPatch, now: number): AgentSession | undefined {
  const title = patch.title !== undefined ? patch.title : current.title;
  const status = patch.status ?? current.status;
  const metadata = patch.metadata ?? current.metadata;
  const changed =
    title !== current.title ||
    status !== current.status ||
    (metadata !== current.metadata && JSON.stringify(metadata) !== JSON.stringify(current.metadata));
  if (!changed) return undefined;
  const updatedAt = new Date(Math.max(now, Date.parse(current.updatedAt) + 1)).toISOString();
  return { ...current, title, status, metadata, updatedAt, version: current.version + 1 };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
