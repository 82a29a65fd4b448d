import assert from 'node:assert/strict';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import { SESSION_STATUSES } from '../domain/session.js';
import { BASE_TIME, ids, insertEach, newestFirst, sampleSession, type ContractContext } from './contract-helpers.js';

/** Registers listing: order, filters, paging and index upkeep; `context()` gives the current test's store and manager. */
export function describeListContract(context: () => ContractContext): void {
  const store = () => context().store;
  const insertAll = (sessions: AgentSession[]) => insertEach(store(), sessions);

  describe('list', () => {
    it('orders newest createdAt first, ties broken by id descending', async () => {
      const sessions = [
        sampleSession({ createdAtOffset: 10 }),
        sampleSession({ createdAtOffset: 30 }),
        sampleSession({ createdAtOffset: 20, id: 'sess_tie_a' }),
        sampleSession({ createdAtOffset: 20, id: 'sess_tie_c' }),
        sampleSession({ createdAtOffset: 20, id: 'sess_tie_b' }),
        sampleSession({ createdAtOffset: 0 }),
      ];
      await insertAll(sessions);
      const page = await store().list({ limit: 100, offset: 0 });
      assert.deepEqual(ids(page.sessions), ids([...sessions].sort(newestFirst)));
      assert.equal(page.total, 6);
    });

    it('filters by db connection, by status and by both, with exact totals', async () => {
      const sessions: AgentSession[] = [];
      for (let i = 0; i < 24; i++) {
        sessions.push(
          sampleSession({
            createdAtOffset: i,
            dbConnectionId: `db-${i % 3}`,
            status: SESSION_STATUSES[i % SESSION_STATUSES.length],
          }),
        );
      }
      await insertAll(sessions);
      const expect = (keep: (s: AgentSession) => boolean) => ids(sessions.filter(keep).sort(newestFirst));
      const cases: Array<{ dbConnectionId?: string; status?: SessionStatus }> = [
        {},
        { dbConnectionId: 'db-1' },
        { status: 'paused' },
        { dbConnectionId: 'db-2', status: 'active' },
        { dbConnectionId: 'db-0', status: 'completed' },
        { dbConnectionId: 'db-none' },
      ];
      for (const filter of cases) {
        const page = await store().list({ ...filter, limit: 1000, offset: 0 });
        const expected = expect(
          (s) =>
            (!filter.dbConnectionId || s.dbConnectionId === filter.dbConnectionId) &&
            (!filter.status || s.status === filter.status),
        );
        assert.deepEqual(ids(page.sessions), expected, `list ${JSON.stringify(filter)}`);
        assert.equal(page.total, expected.length, `total of ${JSON.stringify(filter)}`);
      }
    });

    it('pages without gaps or repeats, and limit 1 returns exactly one', async () => {
      const sessions = Array.from({ length: 17 }, (_, i) => sampleSession({ createdAtOffset: i % 5 }));
      await insertAll(sessions);
      const seen: string[] = [];
      for (let offset = 0; offset < 17; offset += 4) {
        const page = await store().list({ limit: 4, offset });
        assert.equal(page.total, 17);
        seen.push(...ids(page.sessions));
      }
      assert.deepEqual(seen, ids([...sessions].sort(newestFirst)));
      const one = await store().list({ limit: 1, offset: 0 });
      assert.equal(one.sessions.length, 1);
      assert.equal(one.total, 17);
    });

    it('returns an empty page with the exact total for an offset past the end', async () => {
      await insertAll([sampleSession(), sampleSession()]);
      for (const offset of [2, 3, 1_000_000]) {
        const page = await store().list({ limit: 10, offset });
        assert.deepEqual(page.sessions, [], `offset ${offset}`);
        assert.equal(page.total, 2);
      }
    });

    it('is empty for an empty store', async () => {
      assert.deepEqual(await store().list({ limit: 10, offset: 0, status: 'active' }), { sessions: [], total: 0 });
    });

    it('follows status changes and deletes in every index', async () => {
      const [a, b, c] = [0, 1, 2].map((i) => sampleSession({ createdAtOffset: i, dbConnectionId: 'db-x' }));
      await insertAll([a, b, c]);
      await store().update(b.id, { status: 'paused' }, { now: BASE_TIME + 100 });
      await store().delete(c.id);
      const active = await store().list({ dbConnectionId: 'db-x', status: 'active', limit: 10, offset: 0 });
      const paused = await store().list({ status: 'paused', limit: 10, offset: 0 });
      const all = await store().list({ dbConnectionId: 'db-x', limit: 10, offset: 0 });
      assert.deepEqual(ids(active.sessions), [a.id]);
      assert.deepEqual(ids(paused.sessions), [b.id]);
      assert.equal(paused.sessions[0].status, 'paused');
      assert.deepEqual(ids(all.sessions), [b.id, a.id]);
      assert.equal(all.total, 2);
    });
  });
}
