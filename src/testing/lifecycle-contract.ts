import assert from 'node:assert/strict';
import { SessionNotFoundError, ValidationError } from '../domain/errors.js';
import type { SessionEvent } from '../domain/events.js';
import type { AgentSession, SessionStatus } from '../domain/session.js';
import type { ContractContext } from './contract-helpers.js';

// Copy and the bulk pause/resume (emergency stop). Part of the store contract suite.

/** Registers the copy and bulk tests; `context()` gives the current test's store and manager. */
export function describeLifecycleContract(context: () => ContractContext): void {
  const manager = () => context().manager;

  describe('copy', () => {
    it("makes a new active session with the source's fields", async () => {
      const source = await manager().create({
        dbConnectionId: 'db-copy',
        mode: 'query',
        recursionLimit: 7,
        title: 'source',
        metadata: { nested: { k: [1] } },
      });
      await manager().pause(source.id);
      const copy = await manager().copy(source.id);
      assert.notEqual(copy.id, source.id);
      assert.deepEqual(
        { ...copy, id: source.id, createdAt: source.createdAt, updatedAt: source.updatedAt },
        { ...source, status: 'active', version: 1 },
      );
      assert.deepEqual(await manager().get(copy.id), copy);
      assert.equal((await manager().get(source.id)).status, 'paused', 'the source is untouched');
    });

    it('takes title and metadata from the overrides; null clears them', async () => {
      const source = await manager().create({ dbConnectionId: 'db-copy', title: 'source', metadata: { a: 1 } });
      const renamed = await manager().copy(source.id, { title: 'copy', metadata: { b: 2 } });
      assert.equal(renamed.title, 'copy');
      assert.deepEqual(renamed.metadata, { b: 2 });
      const cleared = await manager().copy(source.id, { title: null, metadata: null });
      assert.equal(cleared.title, null);
      assert.deepEqual(cleared.metadata, {});
    });

    it('refuses an unknown id, and overrides that create would refuse', async () => {
      const source = await manager().create({ dbConnectionId: 'db-copy' });
      await assert.rejects(manager().copy('sess_unknown'), SessionNotFoundError);
      await assert.rejects(manager().copy(source.id, { title: 't'.repeat(257) }), ValidationError);
      await assert.rejects(manager().copy(source.id, { mode: 'query' } as never), ValidationError);
      assert.equal((await manager().list({ dbConnectionId: 'db-copy' })).total, 1);
    });
  });

  describe('pauseAll and resumeAll', () => {
    async function sessionsIn(statuses: SessionStatus[], dbConnectionId = 'db-stop'): Promise<AgentSession[]> {
      const sessions: AgentSession[] = [];
      for (const status of statuses) {
        const session = await manager().create({ dbConnectionId });
        if (status !== 'active') await manager().update(session.id, { status });
        sessions.push(await manager().get(session.id));
      }
      return sessions;
    }

    const statusOf = async (session: AgentSession) => (await manager().get(session.id)).status;

    it('pauses every active and running session of the db connection, and only those', async () => {
      const mine = await sessionsIn(['active', 'running', 'paused', 'completed', 'failed', 'active']);
      const other = await sessionsIn(['active', 'running'], 'db-other');
      assert.equal(await manager().pauseAll({ dbConnectionId: 'db-stop' }), 3);
      assert.deepEqual(await Promise.all(mine.map(statusOf)), ['paused', 'paused', 'paused', 'completed', 'failed', 'paused']);
      assert.deepEqual(await Promise.all(other.map(statusOf)), ['active', 'running']);
      assert.equal((await manager().list({ dbConnectionId: 'db-stop', status: 'paused' })).total, 4);
      assert.equal(await manager().pauseAll({ dbConnectionId: 'db-stop' }), 0, 'a second sweep finds nothing');
    });

    it('restricts the pause to one status when asked', async () => {
      const mine = await sessionsIn(['active', 'running']);
      assert.equal(await manager().pauseAll({ dbConnectionId: 'db-stop', status: 'running' }), 1);
      assert.deepEqual(await Promise.all(mine.map(statusOf)), ['active', 'paused']);
    });

    it('resumes every paused session of the db connection', async () => {
      const mine = await sessionsIn(['paused', 'paused', 'active', 'completed']);
      const other = await sessionsIn(['paused'], 'db-other');
      assert.equal(await manager().resumeAll({ dbConnectionId: 'db-stop' }), 2);
      assert.deepEqual(await Promise.all(mine.map(statusOf)), ['active', 'active', 'active', 'completed']);
      assert.deepEqual(await Promise.all(other.map(statusOf)), ['paused']);
    });

    it('moves more sessions than one batch, each one version on', async () => {
      const many = await sessionsIn(Array.from({ length: 250 }, (_, i): SessionStatus => (i % 2 ? 'running' : 'active')));
      assert.equal(await manager().pauseAll({ dbConnectionId: 'db-stop' }), 250);
      const page = await manager().list({ dbConnectionId: 'db-stop', status: 'paused', limit: 1000 });
      assert.equal(page.total, 250);
      const versions = new Map(many.map((s) => [s.id, s.version]));
      for (const s of page.sessions) assert.equal(s.version, (versions.get(s.id) as number) + 1, `version of ${s.id}`);
      assert.equal(await manager().resumeAll({ dbConnectionId: 'db-stop' }), 250);
      assert.equal((await manager().list({ dbConnectionId: 'db-stop', status: 'active' })).total, 250);
    });

    it('emits one transitioned event per session it moves', async function () {
      if (!manager().events.supported) this.skip();
      const mine = await sessionsIn(['active', 'running', 'completed']);
      const events: SessionEvent[] = [];
      const unsubscribe = await manager().events.subscribe((event) => events.push(event), { dbConnectionId: 'db-stop' });
      try {
        await manager().pauseAll({ dbConnectionId: 'db-stop' });
        await manager().get(mine[0].id);
        for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        unsubscribe();
      }
      const moved = events.map((e) => `${e.session.id} ${e.type} ${e.previousStatus}->${e.session.status}`).sort();
      assert.deepEqual(moved, [`${mine[0].id} transitioned active->paused`, `${mine[1].id} transitioned running->paused`].sort());
    });

    it('keeps the exact winner when single pauses race the sweep', async () => {
      const mine = await sessionsIn(Array.from({ length: 40 }, (): SessionStatus => 'active'));
      const singles = mine.map((s) => manager().pause(s.id).then(() => 1, () => 0));
      const [bulk, ...single] = await Promise.all([manager().pauseAll({ dbConnectionId: 'db-stop' }), ...singles]);
      assert.equal(bulk + single.reduce((a: number, b: number) => a + b, 0), 40, 'every session paused exactly once');
      for (const s of mine) assert.equal((await manager().get(s.id)).version, 2, `version of ${s.id}`);
    });

    it('refuses a filter without db connection, with an unknown field or with a status it cannot move', async () => {
      await assert.rejects(manager().pauseAll({} as never), ValidationError);
      await assert.rejects(manager().pauseAll({ dbConnectionId: 'db-stop', extra: 1 } as never), ValidationError);
      await assert.rejects(manager().pauseAll({ dbConnectionId: 'db-stop', status: 'paused' }), ValidationError);
      await assert.rejects(manager().resumeAll({ dbConnectionId: 'db-stop', status: 'active' }), ValidationError);
    });
  });
}
