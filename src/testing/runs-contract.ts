import assert from 'node:assert/strict';
import { InvalidTransitionError } from '../domain/errors.js';
import { AgentSessionManager } from '../domain/manager.js';
import type { SessionRunStore } from '../domain/runs.js';
import type { AgentSession } from '../domain/session.js';
import type { SessionStore } from '../domain/session-store.js';
import { LAST_ERROR_METADATA_KEY, TaskInterruptedError, type TaskContext } from '../domain/task-run.js';
import { recordEvents } from './events-contract.js';

// Task runs and leases, for stores that have the run capability. Part of the store contract suite.

/** How soon after `pause` resolves a handler that honours its signal must see the abort. */
export const ABORT_WITHIN_MS = 100;

/** Resolves with the handler's context once `runTask` has called it. */
function deferredHandler() {
  let started!: (context: TaskContext) => void;
  const running = new Promise<TaskContext>((resolve) => (started = resolve));
  return { running, started };
}

/** Resolves when `signal` aborts, with the time it did. */
function abortedAt(signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(performance.now());
    else signal.addEventListener('abort', () => resolve(performance.now()), { once: true });
  });
}

/** Registers the run tests; `context()` gives the current test's store and manager. */
export function describeRunContract(context: () => { store: SessionStore; manager: AgentSessionManager }): void {
  describe('task runs', () => {
    let store: SessionStore & SessionRunStore;
    let manager: AgentSessionManager;
    let session: AgentSession;

    beforeEach(async function () {
      const current = context();
      if (!current.manager.supportsTasks) this.skip();
      store = current.store as SessionStore & SessionRunStore;
      manager = current.manager;
      session = await manager.create({ dbConnectionId: 'db-run', metadata: { keep: true } });
    });

    describe('store operations', () => {
      it('starts a run only on an active session, once', async () => {
        const started = await store.startRun(session.id, { token: 'a', leaseMs: 60_000, now: Date.now() });
        assert.equal(started.outcome, 'started');
        assert.equal(started.outcome === 'started' && started.session.status, 'running');
        assert.equal((await store.startRun(session.id, { token: 'b', leaseMs: 60_000, now: Date.now() })).outcome, 'status_conflict');
        assert.equal((await manager.get(session.id)).version, 2);
      });

      it('renews and ends only for the token that holds the run', async () => {
        await store.startRun(session.id, { token: 'a', leaseMs: 60_000, now: Date.now() });
        assert.equal(await store.renewRun(session.id, 'a', 90_000), true);
        assert.equal(await store.renewRun(session.id, 'b', 90_000), false);
        assert.equal((await store.endRun(session.id, { token: 'b', status: 'completed', now: Date.now() })).outcome, 'not_holder');
        assert.equal((await store.endRun(session.id, { status: 'completed', now: Date.now() })).outcome, 'not_holder');
        const ended = await store.endRun(session.id, { token: 'a', status: 'completed', now: Date.now() });
        assert.equal(ended.outcome === 'ended' && ended.session.status, 'completed');
        assert.equal(await store.renewRun(session.id, 'a', 90_000), false);
      });

      it('drops the lease when the session is paused or deleted, so the run cannot end it', async () => {
        await store.startRun(session.id, { token: 'a', leaseMs: -1, now: Date.now() });
        await manager.pause(session.id);
        assert.equal((await store.endRun(session.id, { token: 'a', status: 'active', now: Date.now() })).outcome, 'not_holder');
        assert.equal((await manager.get(session.id)).status, 'paused');
        assert.deepEqual(await store.expiredRuns(10), []);
        await manager.resume(session.id);
        await store.startRun(session.id, { token: 'b', leaseMs: -1, now: Date.now() });
        await manager.delete(session.id);
        assert.deepEqual(await store.expiredRuns(10), []);
      });

      it('lists expired leases only, and lets the reaper end them', async () => {
        const other = await manager.create({ dbConnectionId: 'db-run' });
        const now = Date.now();
        await store.startRun(session.id, { token: 'a', leaseMs: -10, now });
        await store.startRun(other.id, { token: 'b', leaseMs: 60_000, now });
        assert.deepEqual(await store.expiredRuns(10), [session.id]);
        assert.equal((await store.endRun(other.id, { expired: true, status: 'failed', now })).outcome, 'not_holder');
        const reaped = await store.endRun(session.id, { expired: true, status: 'failed', metadata: { why: 'x' }, now });
        assert.equal(reaped.outcome === 'ended' && reaped.session.status, 'failed');
        assert.deepEqual((await manager.get(session.id)).metadata, { why: 'x' });
        assert.deepEqual(await store.expiredRuns(10), []);
        assert.equal((await manager.list({ status: 'running' })).total, 1);
      });
    });

    describe('sessions set running by an update', () => {
      const toRunning = (runLeaseMs: number) =>
        store.update(session.id, { status: 'running' }, { allowedFromStatuses: ['running', 'active'], now: Date.now(), runLeaseMs });

      it('get a lease with no holder, which the reaper fails once it runs out', async () => {
        assert.equal((await toRunning(-1)).outcome, 'updated');
        assert.deepEqual(await store.expiredRuns(10), [session.id]);
        const reaper = manager.startLeaseReaper({ intervalMs: 60_000 });
        try {
          assert.deepEqual((await reaper.sweep()).map((s) => s.id), [session.id]);
        } finally {
          reaper.stop();
        }
        const failed = await manager.get(session.id);
        assert.equal(failed.status, 'failed');
        assert.match(String(failed.metadata[LAST_ERROR_METADATA_KEY]), /lease expired/);
      });

      it('renew that lease when an update names running again, without a new version', async () => {
        await toRunning(-1);
        const again = await toRunning(60_000);
        assert.equal(again.outcome, 'unchanged');
        assert.deepEqual(await store.expiredRuns(10), []);
        assert.equal((await manager.get(session.id)).version, 2);
      });

      it('lose the lease when they leave running, and cannot be taken by a run', async () => {
        await toRunning(-1);
        await assert.rejects(manager.runTask(session.id, async () => {}), InvalidTransitionError);
        await manager.pause(session.id);
        assert.deepEqual(await store.expiredRuns(10), []);
      });

      it("leave a run's own lease alone", async () => {
        await store.startRun(session.id, { token: 'a', leaseMs: -1, now: Date.now() });
        assert.equal((await toRunning(60_000)).outcome, 'unchanged');
        assert.deepEqual(await store.expiredRuns(10), [session.id]);
        assert.equal(await store.renewRun(session.id, 'a', 60_000), true);
      });
    });

    describe('runTask', () => {
      it('runs the handler on a running session and returns it to active', async () => {
        const result = await manager.runTask(session.id, async ({ session: running, signal }) => {
          assert.equal(running.status, 'running');
          assert.equal((await manager.get(session.id)).status, 'running');
          assert.equal(signal.aborted, false);
        });
        assert.equal(result.outcome, 'finished');
        assert.equal((await manager.get(session.id)).status, 'active');
      });

      it('completes the session when the handler says it is done', async () => {
        const result = await manager.runTask(session.id, async () => ({ done: true }));
        assert.equal(result.outcome === 'finished' && result.session.status, 'completed');
      });

      it('leaves a session whose handler throws failed, with the message in metadata.last_error', async () => {
        const result = await manager.runTask(session.id, async () => {
          throw new Error('the model refused');
        });
        assert.equal(result.outcome, 'failed');
        const failed = await manager.get(session.id);
        assert.equal(failed.status, 'failed');
        assert.deepEqual(failed.metadata, { keep: true, [LAST_ERROR_METADATA_KEY]: 'the model refused' });
      });

      it('refuses a session that is not active', async () => {
        await manager.pause(session.id);
        await assert.rejects(manager.runTask(session.id, async () => {}), InvalidTransitionError);
      });

      it('runs exactly one of two concurrent runTask calls on one session', async () => {
        let calls = 0;
        const handler = async () => {
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        };
        const results = await Promise.allSettled([manager.runTask(session.id, handler), manager.runTask(session.id, handler)]);
        assert.equal(calls, 1);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        assert.ok(refused.reason instanceof InvalidTransitionError, String(refused.reason));
      });

      it(`aborts a handler within ${ABORT_WITHIN_MS} ms of pause resolving, and ends paused`, async () => {
        const handler = deferredHandler();
        const run = manager.runTask(session.id, async (context) => {
          handler.started(context);
          await abortedAt(context.signal);
        });
        const { signal } = await handler.running;
        const aborted = abortedAt(signal);
        await manager.pause(session.id);
        const pausedAt = performance.now();
        const elapsed = (await aborted) - pausedAt;
        assert.ok(elapsed < ABORT_WITHIN_MS, `abort seen ${elapsed.toFixed(1)} ms after pause resolved`);
        assert.ok(signal.reason instanceof TaskInterruptedError);
        const result = await run;
        assert.equal(result.outcome, 'interrupted');
        assert.equal((await manager.get(session.id)).status, 'paused');
      });

      it('keeps paused when the handler ignores the signal and finishes later', async () => {
        const handler = deferredHandler();
        let release!: () => void;
        const run = manager.runTask(session.id, async (context) => {
          handler.started(context);
          await new Promise<void>((resolve) => (release = resolve));
          return { done: true };
        });
        await handler.running;
        const paused = await manager.pause(session.id);
        release();
        const result = await run;
        assert.equal(result.outcome, 'interrupted');
        assert.deepEqual(await manager.get(session.id), paused);
      });

      it('aborts the handler when the session is deleted', async () => {
        const handler = deferredHandler();
        const run = manager.runTask(session.id, async (context) => {
          handler.started(context);
          await abortedAt(context.signal);
          throw context.signal.reason;
        });
        await handler.running;
        await manager.delete(session.id);
        const result = await run;
        assert.equal(result.outcome, 'interrupted');
        assert.equal(result.outcome === 'interrupted' && result.session, undefined);
      });

      it('emits running and back to active as two transitions', async () => {
        const recorder = await recordEvents(store);
        try {
          await manager.runTask(session.id, async () => {});
          const events = await recorder.until((e) => e.session.status === 'active');
          assert.deepEqual(
            events.map((e) => `${e.type}:${e.previousStatus}->${e.session.status}`),
            ['transitioned:active->running', 'transitioned:running->active'],
          );
        } finally {
          recorder.stop();
        }
      });

      it('lets the lease reaper fail a run whose lease expired, with the reason in metadata.last_error', async () => {
        const now = Date.now();
        await store.startRun(session.id, { token: 'crashed', leaseMs: -1, now });
        const reaper = manager.startLeaseReaper({ intervalMs: 60_000 });
        try {
          const reaped = await reaper.sweep();
          assert.deepEqual(reaped.map((s) => s.id), [session.id]);
        } finally {
          reaper.stop();
        }
        const failed = await manager.get(session.id);
        assert.equal(failed.status, 'failed');
        assert.equal(failed.metadata.keep, true);
        assert.match(String(failed.metadata[LAST_ERROR_METADATA_KEY]), /lease expired/);
      });

      it('judges leases by the store clock: a reaper whose host clock runs 31 s ahead leaves a live run alone', async () => {
        const skewedReaper = new AgentSessionManager(store, { clock: () => Date.now() + 31_000 }).startLeaseReaper({ intervalMs: 60_000 });
        try {
          const result = await manager.runTask(session.id, async ({ signal }) => {
            assert.deepEqual(await skewedReaper.sweep(), []);
            assert.equal(signal.aborted, false);
          });
          assert.equal(result.outcome, 'finished');
        } finally {
          skewedReaper.stop();
        }
      });

      it('judges leases by the store clock: a runner whose host clock runs 31 s behind is not reaped', async () => {
        const lagging = new AgentSessionManager(store, { clock: () => Date.now() - 31_000 });
        const reaper = manager.startLeaseReaper({ intervalMs: 60_000 });
        try {
          const result = await lagging.runTask(session.id, async () => {
            assert.deepEqual(await reaper.sweep(), []);
          });
          assert.equal(result.outcome, 'finished');
        } finally {
          reaper.stop();
        }
      });
    });
  });
}
