import assert from 'node:assert/strict';
import { AgentSessionManager } from '../domain/manager.js';
import type { SessionEvent } from '../domain/events.js';
import type { SessionStore } from '../domain/session-store.js';
import { newSessionId } from '../domain/session-id.js';
import type { SessionStoreHarness } from './session-store-contract.js';

// Change events, for stores that have `subscribe`. Part of the store contract suite.

/** Events a subscription has received so far, and a way to wait for more. */
export interface EventRecorder {
  events: SessionEvent[];
  /** Resolves once an event matches `predicate` (within 5 s), returning all events up to it. */
  until(predicate: (event: SessionEvent) => boolean): Promise<SessionEvent[]>;
  stop(): void;
}

/** Subscribes to `store` and records every event; `onMissed` calls are recorded as `'missed'`. */
export async function recordEvents(store: SessionStore, after?: string): Promise<EventRecorder & { log: Array<SessionEvent | 'missed'> }> {
  const events: SessionEvent[] = [];
  const log: Array<SessionEvent | 'missed'> = [];
  const stop = await (store.subscribe as NonNullable<SessionStore['subscribe']>)(
    (event) => {
      events.push(event);
      log.push(event);
    },
    { after, onMissed: () => log.push('missed') },
  );
  return {
    events,
    log,
    stop,
    async until(predicate) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const index = events.findIndex(predicate);
        if (index >= 0) return events.slice(0, index + 1);
        if (Date.now() > deadline) throw new Error(`no matching event within 5 s; got ${JSON.stringify(events.map(brief))}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

const brief = (event: SessionEvent) => `${event.type}:${event.session.id}:${event.previousStatus}->${event.session.status}`;

/**
 * An id of the same shape as `id` but far ahead of it: each run of digits becomes a longer run of
 * nines (at most 15, so it stays a valid number). Assumes ids grow like numbers, as the built-in
 * stores' do.
 */
export function futureIdLike(id: string): string {
  return id.replace(/[0-9]+/g, (digits) => '9'.repeat(Math.min(digits.length + 3, 15)));
}

/** Registers the change-event tests; `context()` gives the current test's store and manager. */
export function describeEventContract(
  context: () => { store: SessionStore; manager: AgentSessionManager },
  harness: Pick<SessionStoreHarness, 'createWithEventRetention' | 'dispose'> = {},
): void {
  describe('change events', () => {
    let store: SessionStore;
    let manager: AgentSessionManager;
    let recorder: EventRecorder;

    beforeEach(async function () {
      ({ store, manager } = context());
      if (!store.subscribe) this.skip();
      recorder = await recordEvents(store);
    });

    afterEach(() => recorder?.stop());

    /** A write whose event marks "everything before this has been delivered". */
    async function marker(): Promise<string> {
      const session = await manager.create({ dbConnectionId: 'db-marker' });
      return session.id;
    }

    it('emits exactly one event per create, update, transition and delete, in order', async () => {
      const session = await manager.create({ dbConnectionId: 'db-ev', title: 'first' });
      await manager.update(session.id, { title: 'second' });
      await manager.pause(session.id);
      await manager.delete(session.id);
      const events = await recorder.until((e) => e.type === 'deleted' && e.session.id === session.id);
      assert.deepEqual(events.map(brief), [
        `created:${session.id}:null->active`,
        `updated:${session.id}:active->active`,
        `transitioned:${session.id}:active->paused`,
        `deleted:${session.id}:paused->paused`,
      ]);
      assert.deepEqual(events[0].session, session);
      assert.equal(events[1].session.title, 'second');
      assert.equal(events[2].session.version, 3);
      for (const event of events) assert.ok(!Number.isNaN(Date.parse(event.at)), `event at ${event.at}`);
    });

    it('emits nothing for unchanged outcomes, refused transitions, version conflicts and duplicate inserts', async () => {
      const session = await manager.create({ dbConnectionId: 'db-ev', title: 't' });
      await manager.update(session.id, { title: 't' });
      await manager.update(session.id, {});
      await assert.rejects(manager.resume(session.id));
      await assert.rejects(manager.update(session.id, { title: 'x' }, { ifVersion: 9 }));
      await assert.rejects(manager.delete(session.id, { ifVersion: 9 }));
      assert.equal(await store.insert(session), false);
      const last = await marker();
      const events = await recorder.until((e) => e.session.id === last);
      assert.deepEqual(events.map(brief), [`created:${session.id}:null->active`, `created:${last}:null->active`]);
    });

    it('gives events increasing ids and resumes after a given id', async () => {
      const a = await manager.create({ dbConnectionId: 'db-ev' });
      const b = await manager.create({ dbConnectionId: 'db-ev' });
      const c = await manager.create({ dbConnectionId: 'db-ev' });
      const events = await recorder.until((e) => e.session.id === c.id);
      assert.deepEqual(events.map((e) => e.session.id), [a.id, b.id, c.id]);
      assert.equal(new Set(events.map((e) => e.id)).size, 3);
      const resumed = await recordEvents(store, events[0].id);
      try {
        const replay = await resumed.until((e) => e.session.id === c.id);
        assert.deepEqual(replay.map((e) => e.session.id), [b.id, c.id]);
        const d = await manager.create({ dbConnectionId: 'db-ev' });
        const live = await resumed.until((e) => e.session.id === d.id);
        assert.deepEqual(live.map((e) => e.session.id), [b.id, c.id, d.id]);
      } finally {
        resumed.stop();
      }
    });

    it('stops delivering after unsubscribe', async () => {
      const late: SessionEvent[] = [];
      const stop = await (store.subscribe as NonNullable<SessionStore['subscribe']>)((event) => late.push(event));
      stop();
      stop();
      const last = await marker();
      await recorder.until((e) => e.session.id === last);
      assert.deepEqual(late, []);
    });

    it('treats an id it has not issued yet (one from the future) as "live only"', async () => {
      const first = await marker();
      const [event] = await recorder.until((e) => e.session.id === first);
      const resumed = await recordEvents(store, futureIdLike(event.id));
      try {
        const last = await marker();
        assert.deepEqual((await resumed.until((e) => e.session.id === last)).map((e) => e.session.id), [last]);
        assert.ok(!resumed.log.includes('missed'), 'no missed signal for a future id');
      } finally {
        resumed.stop();
      }
    });

    it('signals missed events once, before the replay, to a subscriber resuming from before what it retains', async function () {
      if (!harness.createWithEventRetention) this.skip();
      const small = await harness.createWithEventRetention(5);
      try {
        const smallManager = new AgentSessionManager(small);
        const all = await recordEvents(small);
        let last = await smallManager.create({ dbConnectionId: 'db-window' });
        // Far more than 5, so even a store that trims approximately (Redis MAXLEN ~) has trimmed.
        for (let i = 0; i < 300; i++) last = await smallManager.create({ dbConnectionId: 'db-window' });
        const live = await all.until((e) => e.session.id === last.id);
        all.stop();
        const old = await recordEvents(small, live[0].id);
        try {
          await old.until((e) => e.session.id === last.id);
          assert.equal(old.log[0], 'missed', 'the first thing delivered is the missed signal');
          assert.equal(old.log.filter((item) => item === 'missed').length, 1);
          assert.ok(old.events.length < 301, `replayed ${old.events.length} of 301 events: the early ones are gone`);
          const ids = old.events.map((e) => e.session.id);
          assert.deepEqual(ids.slice(-1), [last.id]);
        } finally {
          old.stop();
        }
        const recent = await recordEvents(small, live[live.length - 2].id);
        try {
          await recent.until((e) => e.session.id === last.id);
          assert.deepEqual(recent.log.map((item) => (item === 'missed' ? item : item.session.id)), [last.id]);
        } finally {
          recent.stop();
        }
      } finally {
        if (harness.dispose) await harness.dispose(small);
        else await small.close?.();
      }
    });

    it('treats an unknown id given as `after` as "live only"', async () => {
      const resumed = await recordEvents(store, `not-an-event-${newSessionId()}`);
      try {
        const last = await marker();
        assert.deepEqual((await resumed.until((e) => e.session.id === last)).map((e) => e.session.id), [last]);
      } finally {
        resumed.stop();
      }
    });
  });
}
