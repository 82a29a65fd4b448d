import type { AgentSession, SessionPage, SessionStatus } from './session.js';
import type { SessionStore } from './session-store.js';

// Sessions are read from the store in pages of this many while merging or filtering.
const CHUNK = 1000;

interface Paging {
  status?: SessionStatus;
  limit: number;
  offset: number;
}

/** Newest `createdAt` first, ties by `id` descending: the order every store lists in. */
function listedBefore(a: AgentSession, b: AgentSession): boolean {
  return a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id > b.id;
}

/** Reads one store listing lazily, `CHUNK` sessions at a time; `total` is known after the first read. */
class ListingCursor {
  private buffer: AgentSession[] = [];
  private read = 0;
  total = 0;
  private exhausted = false;

  constructor(
    private readonly store: SessionStore,
    private readonly filter: { dbConnectionId?: string; status?: SessionStatus },
  ) {}

  /** The next session in list order without taking it, or `undefined` at the end. */
  async peek(): Promise<AgentSession | undefined> {
    if (this.buffer.length === 0 && !this.exhausted) {
      const page = await this.store.list({ ...this.filter, limit: CHUNK, offset: this.read });
      this.total = page.total;
      this.buffer = page.sessions;
      this.read += page.sessions.length;
      this.exhausted = page.sessions.length < CHUNK;
    }
    return this.buffer[0];
  }

  take(): AgentSession | undefined {
    return this.buffer.shift();
  }
}

/**
 * One page over several exact db connections: one listing per db, merged in list order. Exact
 * totals come from each db's index; reads stop once the page is full, so the cost grows with
 * `offset + limit` times the number of dbs, not with the sessions of other dbs.
 */
export async function listAcrossDbs(store: SessionStore, dbConnectionIds: readonly string[], paging: Paging): Promise<SessionPage> {
  const cursors = dbConnectionIds.map((dbConnectionId) => new ListingCursor(store, { dbConnectionId, status: paging.status }));
  for (const cursor of cursors) await cursor.peek();
  const total = cursors.reduce((sum, cursor) => sum + cursor.total, 0);
  const sessions: AgentSession[] = [];
  for (let position = 0; position < paging.offset + paging.limit; position++) {
    let next: ListingCursor | undefined;
    let nextSession: AgentSession | undefined;
    for (const cursor of cursors) {
      const head = await cursor.peek();
      if (head && (!nextSession || listedBefore(head, nextSession))) [next, nextSession] = [cursor, head];
    }
    if (!next) break;
    next.take();
    if (position >= paging.offset) sessions.push(nextSession as AgentSession);
  }
  return { sessions, total, limit: paging.limit, offset: paging.offset };
}

/**
 * One page of the sessions `visible` accepts, for restrictions no index answers (db prefixes):
 * walks the whole listing (with the status filter) to count them exactly. Cost grows with every
 * session of the store that has the status asked for; a key restricted to prefixes pays it.
 */
export async function listFiltered(
  store: SessionStore,
  visible: (session: AgentSession) => boolean,
  paging: Paging,
): Promise<SessionPage> {
  const cursor = new ListingCursor(store, { status: paging.status });
  const sessions: AgentSession[] = [];
  let total = 0;
  for (let session = await cursor.peek(); session; session = await cursor.peek()) {
    cursor.take();
    if (!visible(session)) continue;
    if (total >= paging.offset && sessions.length < paging.limit) sessions.push(session);
    total++;
  }
  return { sessions, total, limit: paging.limit, offset: paging.offset };
}
