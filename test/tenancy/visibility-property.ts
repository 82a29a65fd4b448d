import { expect } from 'chai';
import fc from 'fast-check';
import {
  AgentSessionManager,
  SessionNotFoundError,
  type AgentSession,
  type Principal,
  type ScopedSessionManager,
  type SessionEvent,
  type SessionStatus,
  type SessionStore,
} from '../../src/index.js';

const DBS = ['db-a', 'db-b', 'db-ab', 'team-x', 'team-y', 'other'];
const PATTERNS = ['db-a', 'db-b', 'team-*', 'db-*', 'other', 'nothing-*'];

/** What a run set up: every session (as it is now) and what the restricted principal may see. */
interface World {
  sessions: AgentSession[];
  visible: (session: AgentSession) => boolean;
}

interface ListCase {
  status?: SessionStatus;
  dbConnectionId?: string;
  limit: number;
  offset: number;
}

/**
 * Every way a principal reads many sessions, each checked against the sessions it may see.
 * Search and count go here as one entry each when they exist.
 */
const READERS: Array<{ name: string; check(view: ScopedSessionManager, world: World, list: ListCase): Promise<void> }> = [
  {
    name: 'list',
    async check(view, world, list) {
      const matching = world.sessions
        .filter(world.visible)
        .filter((s) => (list.status === undefined || s.status === list.status) && (list.dbConnectionId === undefined || s.dbConnectionId === list.dbConnectionId))
        .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt > b.createdAt ? -1 : 1) : a.id > b.id ? -1 : 1));
      const page = await view.list(list);
      expect(page.total, `total of ${JSON.stringify(list)}`).to.equal(matching.length);
      expect(page.sessions.map((s) => s.id), `page of ${JSON.stringify(list)}`).to.deep.equal(
        matching.slice(list.offset, list.offset + list.limit).map((s) => s.id),
      );
    },
  },
  {
    name: 'get',
    async check(view, world) {
      for (const session of world.sessions) {
        if (world.visible(session)) {
          expect((await view.get(session.id)).id).to.equal(session.id);
          continue;
        }
        // Exactly what an unknown id gets: same error class, same message.
        const error = await view.get(session.id).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(SessionNotFoundError);
        expect((error as Error).message).to.equal(new SessionNotFoundError(session.id).message);
      }
    },
  },
];

// The rule, written out independently of the code under test.
const reaches = (patterns: string[], db: string) => patterns.some((p) => (p.endsWith('*') ? db.startsWith(p.slice(0, -1)) : db === p));

/** A db connection the principal sees, to mark the end of the event stream. */
function visibleDb(patterns: string[]): string {
  return patterns[0].endsWith('*') ? `${patterns[0].slice(0, -1)}sentinel` : patterns[0];
}

/**
 * Property: a principal restricted to some db connections never gets, counts or hears of a
 * session of another db, through any reader or its event stream, whatever the sessions are.
 */
export function describeVisibilityProperty(
  name: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  options: { numRuns?: number; dispose?: (store: SessionStore) => Promise<void> } = {},
): void {
  describe(`tenancy: a restricted principal sees only its db connections (${name})`, function () {
    this.timeout(180_000);

    it('list, get and event streams never contain, count or reveal another db', async () => {
      const arbitrary = fc.record({
        patterns: fc.subarray(PATTERNS, { minLength: 1 }),
        sessions: fc.array(
          fc.record({ db: fc.constantFrom(...DBS), pause: fc.boolean(), remove: fc.constantFrom(false, false, true), sameMs: fc.boolean() }),
          { maxLength: 25 },
        ),
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
      await fc.assert(
        fc.asyncProperty(arbitrary, async ({ patterns, sessions: plan, lists }) => {
          const store = await createStore();
          try {
            let now = Date.parse('2026-03-01T00:00:00.000Z');
            let sameMs = false;
            const manager = new AgentSessionManager(store, { clock: () => (sameMs ? now : ++now) });
            const principal: Principal = { name: 'restricted', scopes: ['sessions:write'], dbConnectionIds: patterns };
            const view = manager.scoped(principal);
            const heard: SessionEvent[] = [];
            const unsubscribe = await view.events.subscribe((event) => heard.push(event));
            try {
              const byId = new Map<string, AgentSession>();
              for (const step of plan) {
                sameMs = step.sameMs;
                const session = await manager.create({ dbConnectionId: step.db });
                byId.set(session.id, session);
                if (step.pause) byId.set(session.id, await manager.pause(session.id));
              }
              const removed = new Set<string>();
              for (const [index, step] of plan.entries()) {
                const id = [...byId.keys()][index];
                if (step.remove) {
                  await manager.delete(id);
                  removed.add(id);
                }
              }
              const world: World = {
                sessions: [...byId.values()].filter((s) => !removed.has(s.id)),
                visible: (s) => reaches(patterns, s.dbConnectionId),
              };
              for (const list of lists) for (const reader of READERS) await reader.check(view, world, list);

              // Events arrive in order: once the sentinel's arrives, every earlier one has.
              const sentinel = await manager.create({ dbConnectionId: visibleDb(patterns) });
              const deadline = Date.now() + 10_000;
              while (!heard.some((e) => e.session.id === sentinel.id)) {
                if (Date.now() > deadline) throw new Error('the sentinel event never arrived');
                await new Promise((resolve) => setTimeout(resolve, 2));
              }
              const leaked = heard.filter((e) => !reaches(patterns, e.session.dbConnectionId));
              expect(leaked.map((e) => e.session.dbConnectionId), `events heard by ${patterns.join(',')}`).to.deep.equal([]);
              const visibleIds = new Set([...byId.values()].filter((s) => reaches(patterns, s.dbConnectionId)).map((s) => s.id));
              const expectedCount =
                [...visibleIds].reduce((sum, id) => sum + 1 + (byId.get(id)?.status === 'paused' ? 1 : 0) + (removed.has(id) ? 1 : 0), 0) + 1;
              expect(heard.length, 'every visible change is heard').to.equal(expectedCount);
            } finally {
              unsubscribe();
            }
          } finally {
            await (options.dispose?.(store) ?? store.close?.());
          }
        }),
        { numRuns: options.numRuns ?? 100 },
      );
    });
  });
}
