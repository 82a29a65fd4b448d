import assert from 'node:assert/strict';
import type { AgentSessionManager } from '../domain/manager.js';
import type { SessionEvent } from '../domain/events.js';
import type { SessionStore } from '../domain/session-store.js';
import { newSessionId } from '../domain/session-id.js';

// Change events, for stores that have `subscribe`. Part of the store contract suite.

/** Events a subscription has received so far, and a way to wait for more. */
export interface EventRecorder {
  events: SessionEvent[];
  /** Resolves once an event matches `predicate` (within 5 s), returning all events up to it. */
  until(predicate: (event: SessionEvent) => boolean): Promise<SessionEvent[]>;
  stop(): void;
}

/** Subscribes to `store` and records every event. */
export async function recordEvents(store: SessionStore, after?: string): Promise<EventRecorder> {
  const events: SessionEvent[] = [];
  const stop = await (store.subscribe as NonNullable<SessionStore['subscribe']>)((event) => events.push(event), { after });
  return {
    events,
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

/** Registers the change-event tests; `context()` gives the current test's store and manager. */
export function describeEventContract(context: () => { store: SessionStore; manager: AgentSessionManager }): void {
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
