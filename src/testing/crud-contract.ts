import assert from 'node:assert/strict';
import type { AgentSession } from '../domain/session.js';
import { newSessionId } from '../domain/session-id.js';
import { BASE_TIME, insertEach, sampleSession, type ContractContext } from './contract-helpers.js';

/** Registers insert, get, update and delete; `context()` gives the current test's store and manager. */
export function describeCrudContract(context: () => ContractContext): void {
  const store = () => context().store;
  const insertAll = (sessions: AgentSession[]) => insertEach(store(), sessions);

  describe('insert and get', () => {
    it('returns exactly what was inserted', async () => {
      const session = sampleSession({ title: 'Sales', metadata: { nested: { list: [1, 'two', null, true] } } });
      await insertAll([session]);
      assert.deepEqual(await store().get(session.id), session);
    });

    it('refuses a second insert with the same id and keeps the first', async () => {
      const first = sampleSession({ title: 'first' });
      await insertAll([first]);
      assert.equal(await store().insert({ ...first, title: 'second' }), false);
      assert.deepEqual(await store().get(first.id), first);
      assert.equal((await store().list({ limit: 10, offset: 0 })).total, 1);
    });

    it('answers undefined for an unknown id', async () => {
      assert.equal(await store().get(newSessionId()), undefined);
    });

    it('is not changed by callers mutating what it returned', async () => {
      const session = sampleSession({ metadata: { a: { b: 1 } } });
      await insertAll([session]);
      const copy = (await store().get(session.id)) as AgentSession;
      try {
        (copy.metadata.a as Record<string, unknown>).b = 2;
        (copy as { title: string | null }).title = 'changed';
      } catch {
        // A store may hand out frozen objects; refusing the change is just as good.
      }
      assert.deepEqual(await store().get(session.id), session);
    });
  });

  describe('update', () => {
    it('applies title, status and metadata together and bumps version and updatedAt', async () => {
      const session = sampleSession({ title: 'old', metadata: { a: 1 } });
      await insertAll([session]);
      const now = BASE_TIME + 5_000;
      const result = await store().update(session.id, { title: 'new', status: 'running', metadata: { b: 2 } }, { now });
      assert.equal(result.outcome, 'updated');
      const expected = {
        ...session,
        title: 'new',
        status: 'running' as const,
        metadata: { b: 2 },
        version: 2,
        updatedAt: new Date(now).toISOString(),
      };
      assert.deepEqual(result.outcome === 'updated' && result.session, expected);
      assert.deepEqual(result.outcome === 'updated' && result.previous, session);
      assert.deepEqual(await store().get(session.id), expected);
    });

    it('clears the title with null and replaces metadata as a whole', async () => {
      const session = sampleSession({ title: 'old', metadata: { keep: false, gone: 1 } });
      await insertAll([session]);
      await store().update(session.id, { title: null, metadata: { keep: true } }, { now: BASE_TIME + 1 });
      const stored = (await store().get(session.id)) as AgentSession;
      assert.equal(stored.title, null);
      assert.deepEqual(stored.metadata, { keep: true });
    });

    it('reports unchanged, keeping version and updatedAt, when nothing differs', async () => {
      const session = sampleSession({ title: 't', metadata: { a: [1, 2] } });
      await insertAll([session]);
      for (const patch of [{}, { title: 't' }, { status: 'active' as const }, { metadata: { a: [1, 2] } }]) {
        const result = await store().update(session.id, patch, { now: BASE_TIME + 60_000 });
        assert.equal(result.outcome, 'unchanged', `patch ${JSON.stringify(patch)}`);
        assert.deepEqual(result.outcome === 'unchanged' && result.session, session);
      }
      assert.deepEqual(await store().get(session.id), session);
    });

    it('moves updatedAt forward even when the clock is behind, and never changes createdAt', async () => {
      const session = sampleSession();
      await insertAll([session]);
      await store().update(session.id, { title: 'one' }, { now: BASE_TIME - 10_000 });
      await store().update(session.id, { title: 'two' }, { now: BASE_TIME - 10_000 });
      const stored = (await store().get(session.id)) as AgentSession;
      assert.equal(stored.updatedAt, new Date(BASE_TIME + 2).toISOString());
      assert.equal(stored.createdAt, session.createdAt);
      assert.equal(stored.version, 3);
    });

    it('reports not_found for an unknown id', async () => {
      assert.deepEqual(await store().update(newSessionId(), { title: 'x' }, { now: BASE_TIME }), { outcome: 'not_found' });
    });

    it('refuses a stale expectedVersion and changes nothing', async () => {
      const session = sampleSession();
      await insertAll([session]);
      await store().update(session.id, { title: 'v2' }, { now: BASE_TIME + 1 });
      const result = await store().update(session.id, { title: 'late' }, { expectedVersion: 1, now: BASE_TIME + 2 });
      assert.equal(result.outcome, 'version_conflict');
      assert.equal(result.outcome === 'version_conflict' && result.session.version, 2);
      assert.equal((await store().get(session.id))?.title, 'v2');
      const fresh = await store().update(session.id, { title: 'v3' }, { expectedVersion: 2, now: BASE_TIME + 3 });
      assert.equal(fresh.outcome, 'updated');
    });

    it('refuses a status change from a status outside allowedFromStatuses and changes nothing', async () => {
      const session = sampleSession({ status: 'completed' });
      await insertAll([session]);
      const result = await store().update(
        session.id,
        { status: 'paused', title: 'x' },
        { allowedFromStatuses: ['active', 'running'], now: BASE_TIME + 1 },
      );
      assert.equal(result.outcome, 'status_conflict');
      assert.deepEqual(await store().get(session.id), session);
      assert.equal((await store().list({ status: 'paused', limit: 10, offset: 0 })).total, 0);
    });
  });

  describe('delete', () => {
    it('removes the session from get and from every listing; a second delete is not_found', async () => {
      const session = sampleSession({ status: 'paused' });
      await insertAll([session]);
      assert.deepEqual(await store().delete(session.id), { outcome: 'deleted', session });
      assert.equal(await store().get(session.id), undefined);
      for (const filter of [{}, { status: 'paused' as const }, { dbConnectionId: 'db-1' }]) {
        assert.equal((await store().list({ ...filter, limit: 10, offset: 0 })).total, 0);
      }
      assert.deepEqual(await store().delete(session.id), { outcome: 'not_found' });
    });

    it('refuses a stale expectedVersion and keeps the session', async () => {
      const session = sampleSession();
      await insertAll([session]);
      const result = await store().delete(session.id, { expectedVersion: 7 });
      assert.equal(result.outcome, 'version_conflict');
      assert.deepEqual(await store().get(session.id), session);
    });
  });
}
