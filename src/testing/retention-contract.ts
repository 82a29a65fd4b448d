import assert from 'node:assert/strict';
import { ValidationError } from '../domain/errors.js';
import type { SessionEvent } from '../domain/events.js';
import { AgentSessionManager, type AgentSessionManagerOptions } from '../domain/manager.js';
import type { AgentSession } from '../domain/session.js';
import { BASE_TIME, insertEach, sampleSession, type ContractContext } from './contract-helpers.js';

const DAY = 86_400_000;

/** A manager over the test's store on a clock the test moves by hand. */
function managerWithClock(context: ContractContext, options: AgentSessionManagerOptions = {}) {
  let now = BASE_TIME;
  const manager = new AgentSessionManager(context.store, { ...options, clock: () => now });
  return { manager, advance: (ms: number) => (now += ms) };
}

/** The `deleted` events recorded while `body` runs (empty when the store has no events). */
async function deletedEventsDuring(manager: AgentSessionManager, body: () => Promise<void>): Promise<SessionEvent[]> {
  if (!manager.events.supported) {
    await body();
    return [];
  }
  const seen: SessionEvent[] = [];
  const stop = await manager.events.subscribe((event) => {
    if (event.type === 'deleted') seen.push(event);
  });
  try {
    await body();
    // Events may arrive after the write resolves (a remote store); a marker write flushes them.
    const marker = await manager.create({ dbConnectionId: 'marker' });
    await manager.delete(marker.id);
    for (let i = 0; i < 200 && !seen.some((e) => e.session.id === marker.id); i++) await new Promise((r) => setTimeout(r, 10));
  } finally {
    stop();
  }
  return seen.filter((event) => event.session.dbConnectionId !== 'marker');
}

/** Registers prune and the retention sweeper; skipped for a store without search. */
export function describeRetentionContract(context: () => ContractContext): void {
  describe('prune and retention', function () {
    beforeEach(function () {
      if (!context().manager.supportsSearch) this.skip();
    });

    async function createMany(manager: AgentSessionManager, count: number, fields: { dbConnectionId: string; metadata?: Record<string, unknown> }) {
      const sessions: AgentSession[] = [];
      for (let i = 0; i < count; i++) sessions.push(await manager.create(fields));
      return sessions;
    }

    it('prunes exactly the matching sessions older than older_than, in batches, with reason prune', async () => {
      const { manager, advance } = managerWithClock(context());
      const old = await createMany(manager, 130, { dbConnectionId: 'db-p', metadata: { user_id: 'gone' } });
      const oldOther = await createMany(manager, 3, { dbConnectionId: 'db-keep', metadata: { user_id: 'gone' } });
      advance(10 * DAY);
      const recent = await createMany(manager, 4, { dbConnectionId: 'db-p', metadata: { user_id: 'gone' } });
      advance(DAY);
      const events = await deletedEventsDuring(manager, async () => {
        assert.deepEqual(await manager.prune({ dbConnectionId: 'db-p', metadata: { user_id: 'gone' }, olderThan: '7d' }), { deleted: 130 });
      });
      assert.equal(await manager.count({ dbConnectionId: 'db-p' }), recent.length, 'newer sessions stay');
      assert.equal(await manager.count({ dbConnectionId: 'db-keep' }), oldOther.length, 'other db connections stay');
      for (const session of old.slice(0, 3)) await assert.rejects(manager.get(session.id), { code: 'session_not_found' });
      if (manager.events.supported) {
        assert.equal(events.length, 130, 'one deleted event per pruned session');
        assert.ok(events.every((event) => event.reason === 'prune'), 'every deleted event says prune');
      }
      assert.deepEqual(await manager.prune({ dbConnectionId: 'db-p', olderThan: '7d' }), { deleted: 0 }, 'a second prune finds nothing');
    });

    it('refuses an empty prune and a bad older_than, naming the field', async () => {
      const { manager } = managerWithClock(context());
      await assert.rejects(manager.prune({}), (error) => error instanceof ValidationError);
      await assert.rejects(manager.prune({ olderThan: '7 days' }), (error) => error instanceof ValidationError && error.issues[0].path === 'olderThan');
      await assert.rejects(manager.prune({ metadata: { nope: 1 } }), (error) => error instanceof ValidationError && error.issues[0].path === 'metadata.nope');
    });

    it('the retention sweeper deletes sessions of a status past its retention, judged from updated_at, with reason retention', async () => {
      const { manager, advance } = managerWithClock(context(), { retention: 'completed:2s,failed:1h' });
      const completedOld = await manager.create({ dbConnectionId: 'db-r' });
      await manager.update(completedOld.id, { status: 'completed' });
      const failedYoung = await manager.create({ dbConnectionId: 'db-r' });
      await manager.update(failedYoung.id, { status: 'failed' });
      const activeOld = await manager.create({ dbConnectionId: 'db-r' });
      const completedTouched = await manager.create({ dbConnectionId: 'db-r' });
      await manager.update(completedTouched.id, { status: 'completed' });
      advance(3_000);
      await manager.update(completedTouched.id, { title: 'changed, so kept longer' });
      let sweeper: ReturnType<typeof manager.startRetentionSweeper> | undefined;
      try {
        // Started while events are watched: it sweeps at once, before a remote store's subscription might be live.
        const events = await deletedEventsDuring(manager, async () => {
          sweeper = manager.startRetentionSweeper({ intervalMs: 3_600_000 });
          await sweeper.sweep();
          await sweeper.sweep();
        });
        assert.equal(await manager.count({ dbConnectionId: 'db-r' }), 3);
        await assert.rejects(manager.get(completedOld.id), { code: 'session_not_found' });
        for (const kept of [failedYoung, activeOld, completedTouched]) assert.equal((await manager.get(kept.id)).id, kept.id);
        if (manager.events.supported) {
          assert.deepEqual(events.map((e) => [e.session.id, e.reason]), [[completedOld.id, 'retention']]);
        }
      } finally {
        sweeper?.stop();
      }
    });

    it('judges expiry by the store clock when the manager has no clock of its own', async () => {
      const { store } = context();
      const manager = new AgentSessionManager(store, { retention: { completed: '1d' } });
      const old = sampleSession({ status: 'completed' }); // last changed at the suite's base time, long ago
      const fresh = sampleSession({ status: 'completed', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() });
      await insertEach(store, [old, fresh]);
      const sweeper = manager.startRetentionSweeper({ intervalMs: 3_600_000 });
      try {
        await sweeper.sweep();
        assert.equal(await store.get(old.id), undefined, 'the old session is gone');
        assert.equal((await store.get(fresh.id))?.id, fresh.id, 'the fresh session stays');
      } finally {
        sweeper.stop();
      }
    });

    it('several sweepers at once delete each expired session exactly once', async () => {
      const { manager, advance } = managerWithClock(context(), { retention: { failed: '1m' } });
      const sessions = await createMany(manager, 40, { dbConnectionId: 'db-many' });
      for (const session of sessions) await manager.update(session.id, { status: 'failed' });
      advance(120_000);
      const sweepers = [0, 1, 2].map(() => manager.startRetentionSweeper({ intervalMs: 3_600_000 }));
      try {
        const deleted = await Promise.all(sweepers.map((sweeper) => sweeper.sweep()));
        assert.equal(deleted.reduce((a, b) => a + b, 0), 40, `deleted per sweeper: ${deleted.join(', ')}`);
        assert.equal(await manager.count({ dbConnectionId: 'db-many' }), 0);
      } finally {
        for (const sweeper of sweepers) sweeper.stop();
      }
    });
  });
}
