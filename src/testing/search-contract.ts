import assert from 'node:assert/strict';
import { ValidationError } from '../domain/errors.js';
import { AgentSessionManager } from '../domain/manager.js';
import {
  compareForSearch,
  matchesSearchFilter,
  type SearchSortField,
  type SearchSortOrder,
  type SessionSearchQuery,
  type StoreSearchFilter,
} from '../domain/search.js';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import type { SessionRunStore } from '../domain/runs.js';
import { BASE_TIME, ids, type ContractContext } from './contract-helpers.js';

/** The metadata keys the contract suite asks every store to index. */
export const CONTRACT_INDEXED_METADATA_KEYS = ['user_id', 'project', 'tier'] as const;

/** A manager over the test's store whose clock the test moves by hand. */
function managerWithClock(context: ContractContext) {
  let now = BASE_TIME;
  const manager = new AgentSessionManager(context.store, { clock: () => now });
  return { manager, tick: (ms = 1) => (now += ms), at: (ms: number) => (now = BASE_TIME + ms) };
}

/** Every page of a search, following `nextCursor`; fails on a page over the limit. */
export async function walkAll(manager: AgentSessionManager, query: SessionSearchQuery): Promise<AgentSession[]> {
  const seen: AgentSession[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await manager.search({ ...query, cursor });
    assert.ok(page.sessions.length <= (query.limit ?? 100), 'a page is never larger than limit');
    seen.push(...(page.sessions as AgentSession[]));
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('the cursor walk did not end');
}

/** The naive answer: every session that matches, in the asked order. */
function expected(all: readonly AgentSession[], filter: StoreSearchFilter, sortBy: SearchSortField, order: SearchSortOrder) {
  return all.filter((s) => matchesSearchFilter(s, filter)).sort(compareForSearch(sortBy, order));
}

async function validationPaths(call: () => Promise<unknown>): Promise<string[]> {
  try {
    await call();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.path);
    throw error;
  }
  assert.fail('expected a ValidationError');
}

/** Registers search and count; skipped for a store without them. */
export function describeSearchContract(context: () => ContractContext): void {
  describe('search and count', function () {
    beforeEach(function () {
      if (!context().manager.supportsSearch) this.skip();
    });

    /** 30 sessions over 3 db connections, 5 statuses, 2 modes and a few metadata values. */
    async function seed(manager: AgentSessionManager, tick: (ms?: number) => number): Promise<AgentSession[]> {
      const statuses: SessionStatus[] = ['active', 'paused', 'completed', 'failed', 'active'];
      const created: AgentSession[] = [];
      for (let i = 0; i < 30; i++) {
        tick(i % 4 === 0 ? 0 : 7); // some share a createdAt, so ties are broken by id
        const session = await manager.create({
          dbConnectionId: `db-${i % 3}`,
          mode: i % 2 === 0 ? 'query' : 'analysis',
          metadata: { user_id: `u${i % 4}`, project: i % 5, tier: i % 2 === 0, other: 'x' },
        });
        created.push(session);
      }
      const all: AgentSession[] = [];
      for (const [i, session] of created.entries()) {
        tick(3);
        const status = statuses[i % statuses.length];
        all.push(status === 'active' ? session : await manager.update(session.id, { status }));
      }
      return all;
    }

    it('filters by db connection, status and mode sets, indexed metadata and time bounds, with exact totals', async () => {
      const { manager, tick } = managerWithClock(context());
      const all = await seed(manager, tick);
      const mid = Date.parse(all[15].createdAt);
      const cases: Array<[SessionSearchQuery, StoreSearchFilter]> = [
        [{}, {}],
        [{ dbConnectionId: 'db-1' }, { dbConnectionId: 'db-1' }],
        [{ status: 'paused' }, { statuses: ['paused'] }],
        [{ status: ['active', 'failed'] }, { statuses: ['active', 'failed'] }],
        [{ mode: ['query'] }, { modes: ['query'] }],
        [{ metadata: { user_id: 'u1' } }, { metadata: { user_id: 'u1' } }],
        [{ metadata: { project: 2, tier: false } }, { metadata: { project: 2, tier: false } }],
        [{ metadata: { project: '2' } }, { metadata: { project: '2' } }],
        [
          { dbConnectionId: 'db-0', status: ['active', 'completed'], metadata: { user_id: 'u0' } },
          { dbConnectionId: 'db-0', statuses: ['active', 'completed'], metadata: { user_id: 'u0' } },
        ],
        [{ createdAfter: new Date(mid).toISOString() }, { createdAfter: mid }],
        [{ createdBefore: new Date(mid).toISOString(), mode: 'analysis' }, { createdBefore: mid, modes: ['analysis'] }],
        [
          { updatedAfter: all[3].updatedAt, updatedBefore: all[20].updatedAt, status: ['failed', 'paused'] },
          { updatedAfter: Date.parse(all[3].updatedAt), updatedBefore: Date.parse(all[20].updatedAt), statuses: ['failed', 'paused'] },
        ],
        [{ dbConnectionId: 'db-none' }, { dbConnectionId: 'db-none' }],
      ];
      for (const [query, filter] of cases) {
        for (const sortBy of ['createdAt', 'updatedAt'] as const) {
          for (const sortOrder of ['desc', 'asc'] as const) {
            const want = expected(all, filter, sortBy, sortOrder);
            const label = `search ${JSON.stringify({ ...query, sortBy, sortOrder })}`;
            const page = await manager.search({ ...query, sortBy, sortOrder, limit: 1000 });
            assert.deepEqual(ids(page.sessions as AgentSession[]), ids(want), label);
            assert.equal(page.total, want.length, `total of ${label}`);
            assert.equal(page.nextCursor, null, `next_cursor of ${label}`);
          }
        }
        assert.equal(await manager.count(query), expected(all, filter, 'createdAt', 'desc').length, `count ${JSON.stringify(query)}`);
      }
    });

    it('defaults to newest createdAt first, ties broken by id in the same direction', async () => {
      const { manager, tick } = managerWithClock(context());
      const all = await seed(manager, tick);
      const page = await manager.search();
      assert.deepEqual(ids(page.sessions as AgentSession[]), ids(expected(all, {}, 'createdAt', 'desc')));
      const ascending = await manager.search({ sortOrder: 'asc' });
      assert.deepEqual(ids(ascending.sessions as AgentSession[]), ids(expected(all, {}, 'createdAt', 'asc')));
    });

    it('walks every page with cursors, each session exactly once, total on every page', async () => {
      const { manager, tick } = managerWithClock(context());
      const all = await seed(manager, tick);
      for (const limit of [1, 4, 7]) {
        for (const sortBy of ['createdAt', 'updatedAt'] as const) {
          const query = { status: ['active', 'paused', 'failed'] as SessionStatus[], sortBy, sortOrder: 'asc' as const, limit };
          const walked = await walkAll(manager, query);
          const want = expected(all, { statuses: query.status }, sortBy, 'asc');
          assert.deepEqual(ids(walked), ids(want), `walk with limit ${limit} by ${sortBy}`);
        }
      }
      const first = await manager.search({ limit: 5 });
      assert.equal(first.total, 30);
      const second = await manager.search({ limit: 5, cursor: first.nextCursor as string });
      assert.equal(second.total, 30);
    });

    it('answers null next_cursor when the last page is exactly full', async () => {
      const { manager, tick } = managerWithClock(context());
      await seed(manager, tick);
      const first = await manager.search({ dbConnectionId: 'db-0', limit: 5 });
      const second = await manager.search({ dbConnectionId: 'db-0', limit: 5, cursor: first.nextCursor as string });
      assert.equal(second.sessions.length, 5);
      assert.equal(second.nextCursor, null);
    });

    it('never skips or repeats a session that matched throughout a walk while others are created, changed and deleted', async () => {
      const { manager, tick } = managerWithClock(context());
      const all = await seed(manager, tick);
      const steady = new Set(all.filter((s) => s.dbConnectionId !== 'db-2').map((s) => s.id));
      const seen: string[] = [];
      let cursor: string | undefined;
      let round = 0;
      do {
        const page = await manager.search({ sortBy: 'createdAt', sortOrder: 'asc', limit: 3, cursor });
        seen.push(...page.sessions.map((s) => s.id));
        cursor = page.nextCursor ?? undefined;
        // Churn among the db-2 sessions only, and new sessions before and after the walk position.
        tick();
        const victim = all.filter((s) => s.dbConnectionId === 'db-2')[round];
        if (victim) {
          if (round % 2 === 0) await manager.delete(victim.id).catch(() => undefined);
          else await manager.update(victim.id, { metadata: { user_id: 'moved' } }).catch(() => undefined);
        }
        await manager.create({ dbConnectionId: 'db-2', metadata: { user_id: 'new' } });
        round++;
      } while (cursor);
      for (const id of steady) assert.equal(seen.filter((s) => s === id).length, 1, `session ${id} seen exactly once`);
      assert.equal(new Set(seen).size, seen.length, 'no session returned twice');
    });

    it('keeps metadata index entries exact when metadata, status or the whole session changes', async () => {
      const { manager, tick } = managerWithClock(context());
      const session = await manager.create({ dbConnectionId: 'db-x', metadata: { user_id: 'alice', project: 'p1' } });
      const findIds = async (query: SessionSearchQuery) => (await manager.search(query)).sessions.map((s) => s.id);
      assert.deepEqual(await findIds({ metadata: { user_id: 'alice' } }), [session.id]);
      tick();
      await manager.update(session.id, { metadata: { user_id: 'bob' } });
      assert.deepEqual(await findIds({ metadata: { user_id: 'alice' } }), [], 'old value no longer matches');
      assert.deepEqual(await findIds({ metadata: { project: 'p1' } }), [], 'dropped key no longer matches');
      assert.deepEqual(await findIds({ metadata: { user_id: 'bob' }, status: 'active' }), [session.id]);
      tick();
      await manager.pause(session.id);
      assert.deepEqual(await findIds({ metadata: { user_id: 'bob' }, status: 'active' }), []);
      assert.deepEqual(await findIds({ metadata: { user_id: 'bob' }, status: ['paused'], sortBy: 'updatedAt' }), [session.id]);
      tick();
      await manager.update(session.id, { metadata: null });
      assert.equal(await manager.count({ metadata: { user_id: 'bob' } }), 0);
      await manager.delete(session.id);
      assert.equal(await manager.count({}), 0, 'a deleted session leaves no index entry');
      assert.equal((await manager.search({ sortBy: 'updatedAt' })).total, 0);
    });

    it('finds a session by its new status and updated_at after a task run', async function () {
      const { manager, tick } = managerWithClock(context());
      if (!manager.supportsTasks) this.skip();
      const session = await manager.create({ dbConnectionId: 'db-r', metadata: { user_id: 'runner' } });
      tick();
      await manager.runTask(session.id, async () => {
        assert.equal(await manager.count({ status: 'running', metadata: { user_id: 'runner' } }), 1);
        tick();
        throw new Error('boom');
      });
      const page = await manager.search({ status: 'failed', metadata: { user_id: 'runner' }, sortBy: 'updatedAt' });
      assert.deepEqual(ids(page.sessions as AgentSession[]), [session.id]);
      assert.equal(await manager.count({ status: ['running', 'active'] }), 0);
    });

    it('finds sessions made by an idempotent create and by a copy, once each', async () => {
      const { manager } = managerWithClock(context());
      const input = { dbConnectionId: 'db-i', metadata: { user_id: 'once' } };
      const first = await manager.create(input, { idempotencyKey: 'search-key' });
      const replayed = await manager.create(input, { idempotencyKey: 'search-key' });
      assert.equal(replayed.id, first.id);
      const copy = await manager.copy(first.id, { metadata: { user_id: 'copied' } });
      assert.deepEqual(ids((await manager.search({ metadata: { user_id: 'once' } })).sessions as AgentSession[]), [first.id]);
      assert.deepEqual(ids((await manager.search({ metadata: { user_id: 'copied' }, dbConnectionId: 'db-i' })).sessions as AgentSession[]), [copy.id]);
      assert.equal(await manager.count({ dbConnectionId: 'db-i' }), 2);
    });

    it('moves search entries when a run lease expires and the reaper fails the session', async function () {
      const { store } = context();
      const { manager } = managerWithClock(context());
      if (!manager.supportsTasks) this.skip();
      const runs = store as unknown as SessionRunStore;
      const session = await manager.create({ dbConnectionId: 'db-l', metadata: { user_id: 'leased' } });
      await runs.startRun(session.id, { token: 't', leaseMs: -10, now: BASE_TIME + 1 });
      assert.equal(await manager.count({ status: 'running', metadata: { user_id: 'leased' } }), 1);
      const reaper = manager.startLeaseReaper({ intervalMs: 3_600_000 });
      try {
        assert.deepEqual((await reaper.sweep()).map((s) => s.id), [session.id]);
      } finally {
        reaper.stop();
      }
      assert.equal(await manager.count({ status: 'running' }), 0);
      const failed = await manager.search({ status: 'failed', metadata: { user_id: 'leased' } });
      assert.deepEqual(ids(failed.sessions as AgentSession[]), [session.id]);
      assert.equal(await manager.count({ dbConnectionId: 'db-l' }), 1);
    });

    it('refuses a metadata key that is not indexed, naming it', async () => {
      const { manager } = managerWithClock(context());
      assert.deepEqual(await validationPaths(() => manager.search({ metadata: { other: 'x' } })), ['metadata.other']);
      assert.deepEqual(await validationPaths(() => manager.count({ metadata: { user_id: 'a', foo: 1 } })), ['metadata.foo']);
    });

    it('refuses a cursor made for another filter or sort, and one it never issued', async () => {
      const { manager, tick } = managerWithClock(context());
      await seed(manager, tick);
      const { nextCursor } = await manager.search({ status: 'active', limit: 2 });
      assert.ok(nextCursor);
      assert.deepEqual(await validationPaths(() => manager.search({ status: 'paused', limit: 2, cursor: nextCursor })), ['cursor']);
      assert.deepEqual(await validationPaths(() => manager.search({ status: 'active', sortBy: 'updatedAt', cursor: nextCursor })), ['cursor']);
      assert.deepEqual(await validationPaths(() => manager.search({ status: 'active', sortOrder: 'asc', cursor: nextCursor })), ['cursor']);
      assert.deepEqual(await validationPaths(() => manager.search({ cursor: 'not-a-cursor' })), ['cursor']);
      const same = await manager.search({ status: ['active'], limit: 50, cursor: nextCursor });
      assert.ok(same.sessions.length > 0, 'the same filter written another way keeps the cursor');
    });

    it('refuses bad input naming each field', async () => {
      const { manager } = managerWithClock(context());
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ limit: 0 }, 'limit'],
        [{ limit: 1001 }, 'limit'],
        [{ status: [] }, 'status'],
        [{ status: ['active', 'sleeping'] }, 'status[1]'],
        [{ mode: 'fast' }, 'mode'],
        [{ sortBy: 'title' }, 'sortBy'],
        [{ sortOrder: 'up' }, 'sortOrder'],
        [{ createdAfter: 'yesterday' }, 'createdAfter'],
        [{ metadata: { user_id: { nested: true } } }, 'metadata.user_id'],
        [{ select: ['password'] }, 'select[0]'],
        [{ offset: 3 }, 'offset'],
      ];
      for (const [query, path] of bad) {
        assert.deepEqual(await validationPaths(() => manager.search(query as SessionSearchQuery)), [path], JSON.stringify(query));
      }
      assert.deepEqual(await validationPaths(() => manager.count({ limit: 3 } as never)), ['limit']);
    });

    it('returns only the selected fields, and always id', async () => {
      const { manager } = managerWithClock(context());
      const session = await manager.create({ dbConnectionId: 'db-s', title: 't' });
      const page = await manager.search({ select: ['title', 'status'] });
      assert.deepEqual(page.sessions, [{ id: session.id, title: 't', status: 'active' }]);
    });
  });
}
