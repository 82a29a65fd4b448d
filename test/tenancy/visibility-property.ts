import { expect } from 'chai';
import fc from 'fast-check';
import { AgentSessionManager, SessionNotFoundError, type AgentSession, type SessionStatus, type SessionStore } from '../../src/index.js';
import { ApiKeyRing, parseApiKeysFile } from '../../src/server/auth/api-keys.js';
import { startServer } from '../../src/server/index.js';
import { connectSse } from '../helpers/sse-client.js';

const DBS = ['db-a', 'db-b', 'db-ab', 'team-x', 'team-y', 'other'];
const PATTERNS = ['db-a', 'db-b', 'team-*', 'db-*', 'other', 'nothing-*'];
const KEY = 'restricted-key-0123456789abcdef';
const BASE = '/api/v1/agent-sessions';

interface ListCase {
  status?: SessionStatus;
  dbConnectionId?: string;
  limit: number;
  offset: number;
}

/**
 * What a restricted caller can ask, through one surface (the library's scoped view, or HTTP
 * with a restricted key). Search and count go here as one method each when they exist.
 */
interface Surface {
  list(query: ListCase): Promise<{ ids: string[]; total: number }>;
  /** `found`, or the not-found answer with the id replaced by `ID` (to compare with an unknown id's). */
  get(id: string): Promise<'found' | string>;
  /** Starts hearing change events; `heard` lists the db connection and id of each so far. */
  listen(): Promise<{ heard(): Array<{ id: string; db: string }>; close(): void }>;
  close(): Promise<void>;
}

type SurfaceFactory = (manager: AgentSessionManager, patterns: string[]) => Promise<Surface>;

/** The library: `manager.scoped(principal)`. */
const libraryView: SurfaceFactory = async (manager, patterns) => {
  const view = manager.scoped({ name: 'restricted', scopes: ['sessions:write'], dbConnectionIds: patterns });
  return {
    async list(query) {
      const page = await view.list(query);
      return { ids: page.sessions.map((s) => s.id), total: page.total };
    },
    async get(id) {
      const error = await view.get(id).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error === undefined) return 'found';
      expect(error).to.be.instanceOf(SessionNotFoundError);
      return `${(error as Error).name}: ${(error as Error).message.replace(id, 'ID')}`;
    },
    async listen() {
      const heard: Array<{ id: string; db: string }> = [];
      const unsubscribe = await view.events.subscribe((event) => heard.push({ id: event.session.id, db: event.session.dbConnectionId }));
      return { heard: () => heard, close: unsubscribe };
    },
    async close() {},
  };
};

/** HTTP: a server with one key restricted to `patterns`, read as a client would. */
const httpWithKey: SurfaceFactory = async (manager, patterns) => {
  const ring = new ApiKeyRing(parseApiKeysFile(JSON.stringify([{ name: 'restricted', key: KEY, scopes: ['sessions:write'], db_connection_ids: patterns }])));
  const running = await startServer({ manager, port: 0, apiKeyRing: ring, leaseReaperIntervalMs: false });
  const headers = { authorization: `Bearer ${KEY}` };
  return {
    async list(query) {
      const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
      if (query.status) params.set('status', query.status);
      if (query.dbConnectionId) params.set('db_connection_id', query.dbConnectionId);
      const response = await fetch(`${running.url}${BASE}?${params}`, { headers });
      expect(response.status).to.equal(200);
      const page = (await response.json()) as { sessions: Array<{ id: string }>; total: number };
      return { ids: page.sessions.map((s) => s.id), total: page.total };
    },
    async get(id) {
      const response = await fetch(`${running.url}${BASE}/${id}`, { headers });
      if (response.status === 200) return 'found';
      return `${response.status} ${response.headers.get('content-type')} ${(await response.text()).replaceAll(id, 'ID')}`;
    },
    async listen() {
      const stream = await connectSse(`${running.url}${BASE}/events`, headers);
      expect(stream.status).to.equal(200);
      return {
        heard: () => stream.messages.map((m) => ({ id: m.data.session.id as string, db: m.data.session.db_connection_id as string })),
        close: () => stream.close(),
      };
    },
    close: () => running.close(0),
  };
};

// The rule, written out independently of the code under test.
const reaches = (patterns: string[], db: string) => patterns.some((p) => (p.endsWith('*') ? db.startsWith(p.slice(0, -1)) : db === p));

/** A db connection the principal sees, to mark the end of the event stream. */
const visibleDb = (patterns: string[]) => (patterns[0].endsWith('*') ? `${patterns[0].slice(0, -1)}sentinel` : patterns[0]);

const listOrder = (a: AgentSession, b: AgentSession) => (a.createdAt !== b.createdAt ? (a.createdAt > b.createdAt ? -1 : 1) : a.id > b.id ? -1 : 1);

const ARBITRARY = fc.record({
  patterns: fc.subarray(PATTERNS, { minLength: 1 }),
  sessions: fc.array(fc.record({ db: fc.constantFrom(...DBS), pause: fc.boolean(), remove: fc.constantFrom(false, false, true), sameMs: fc.boolean() }), {
    maxLength: 25,
  }),
  lists: fc.array(
    fc.record({
      status: fc.option(fc.constantFrom<SessionStatus>('active', 'paused'), { nil: undefined }),
      dbConnectionId: fc.option(fc.constantFrom(...DBS), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 10 }),
      offset: fc.integer({ min: 0, max: 12 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

/**
 * Property: a caller restricted to some db connections never gets, counts or hears of a
 * session of another db, whatever the sessions are: lists hold and count exactly its own,
 * another db's session answers exactly like an unknown id, its event stream carries exactly
 * the changes to its own sessions.
 */
export function describeVisibilityProperty(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  options: { numRuns?: number; httpRuns?: number; dispose?: (store: SessionStore) => Promise<void> } = {},
): void {
  describe(`tenancy: a restricted caller sees only its db connections (${name})`, function () {
    this.timeout(300_000);
    const surfaces: Array<[string, SurfaceFactory, number]> = [
      ['manager.scoped', libraryView, options.numRuns ?? 100],
      ['HTTP with a restricted key', httpWithKey, options.httpRuns ?? 25],
    ];
    for (const [surfaceName, makeSurface, numRuns] of surfaces) {
      it(`${surfaceName}: list, get and the event stream never contain, count or reveal another db`, async () => {
        await fc.assert(
          fc.asyncProperty(ARBITRARY, async ({ patterns, sessions: plan, lists }) => {
            const store = await createStore();
            let now = Date.parse('2026-03-01T00:00:00.000Z');
            let sameMs = false;
            const manager = new AgentSessionManager(store, { clock: () => (sameMs ? now : ++now) });
            const surface = await makeSurface(manager, patterns);
            const listener = await surface.listen();
            try {
              const byId = new Map<string, AgentSession>();
              for (const step of plan) {
                sameMs = step.sameMs;
                const session = await manager.create({ dbConnectionId: step.db });
                byId.set(session.id, step.pause ? await manager.pause(session.id) : session);
              }
              const removed = new Set<string>();
              for (const [index, id] of [...byId.keys()].entries()) {
                if (!plan[index].remove) continue;
                await manager.delete(id);
                removed.add(id);
              }
              const present = [...byId.values()].filter((s) => !removed.has(s.id));
              const visible = present.filter((s) => reaches(patterns, s.dbConnectionId));

              for (const query of lists) {
                const matching = visible
                  .filter((s) => (query.status === undefined || s.status === query.status) && (query.dbConnectionId === undefined || s.dbConnectionId === query.dbConnectionId))
                  .sort(listOrder);
                const page = await surface.list(query);
                expect(page.total, `total of ${JSON.stringify(query)}`).to.equal(matching.length);
                expect(page.ids, `page of ${JSON.stringify(query)}`).to.deep.equal(matching.slice(query.offset, query.offset + query.limit).map((s) => s.id));
              }

              const unknownAnswer = await surface.get('sess_AAAAAAAAAAAAAAAAAAAAAA');
              for (const session of present) {
                const answer = await surface.get(session.id);
                expect(answer, `get of a ${session.dbConnectionId} session`).to.equal(reaches(patterns, session.dbConnectionId) ? 'found' : unknownAnswer);
              }

              // Events arrive in order: once the sentinel's arrives, every earlier one has.
              const sentinel = await manager.create({ dbConnectionId: visibleDb(patterns) });
              const deadline = Date.now() + 10_000;
              while (!listener.heard().some((e) => e.id === sentinel.id)) {
                if (Date.now() > deadline) throw new Error('the sentinel event never arrived');
                await new Promise((resolve) => setTimeout(resolve, 2));
              }
              const heard = listener.heard();
              expect(heard.filter((e) => !reaches(patterns, e.db)).map((e) => e.db), `events heard by ${patterns.join(',')}`).to.deep.equal([]);
              const changes = (s: AgentSession) => 1 + (s.status === 'paused' ? 1 : 0) + (removed.has(s.id) ? 1 : 0);
              const expectedCount = [...byId.values()].filter((s) => reaches(patterns, s.dbConnectionId)).reduce((sum, s) => sum + changes(s), 1);
              expect(heard.length, 'every visible change is heard').to.equal(expectedCount);
            } finally {
              listener.close();
              await surface.close();
              await (options.dispose?.(store) ?? store.close?.());
            }
          }),
          { numRuns },
        );
      });
    }
  });
}
