import { expect } from 'chai';
import { AgentSessionManager, type SessionEvent, type SessionStore } from '../../src/index.js';
import { COLLECTION_PATH } from '../../src/server/index.js';
import { callOk as call } from './server-process.js';
import { connectSse } from './sse-client.js';

// Tests shared by every store with a shared backend: two server processes (A and B) and this
// process all on one backend, so a change made through one is seen through the others.

/** The two running instances and a way to open a store of this process on the same backend. */
export interface SharedBackend {
  urlA: string;
  urlB: string;
  newStore(): SessionStore;
}

/** Registers the cross-instance event tests; `backend()` is called once the instances run. */
export function describeEventsAcrossInstances(backend: () => SharedBackend): void {
  it('streams to an SSE client of instance A, in order, the changes made through instance B, and resumes by Last-Event-ID', async () => {
    const { urlA, urlB, newStore } = backend();
    const client = await connectSse(`${urlA}${COLLECTION_PATH}/events?db_connection_id=db-x`);
    const libraryStore = newStore();
    const library = new AgentSessionManager(libraryStore);
    const seenByLibrary: SessionEvent[] = [];
    const unsubscribe = await library.events.subscribe((event) => seenByLibrary.push(event), { dbConnectionId: 'db-x' });
    try {
      const created = await call(urlB, 'POST', COLLECTION_PATH, { db_connection_id: 'db-x', title: 'from B' });
      const { session_id: id } = (await created.json()) as { session_id: string };
      await call(urlB, 'PATCH', `${COLLECTION_PATH}/${id}`, { metadata: { step: 1 } });
      await call(urlB, 'POST', `${COLLECTION_PATH}/${id}/pause`);
      await call(urlB, 'POST', `${COLLECTION_PATH}/${id}/resume`);
      await call(urlB, 'DELETE', `${COLLECTION_PATH}/${id}`);
      const expected = [
        ['created', null, 'active'],
        ['updated', 'active', 'active'],
        ['transitioned', 'active', 'paused'],
        ['transitioned', 'paused', 'active'],
        ['deleted', 'active', 'active'],
      ];
      const messages = await client.until((m) => m.data.type === 'deleted');
      expect(messages.map((m) => [m.data.type, m.data.previous_status, m.data.session.status])).to.deep.equal(expected);
      expect(messages.every((m) => m.data.session.id === id)).to.equal(true);
      expect(messages.every((m) => /^\d+-\d+$/.test(m.id ?? '')), 'event ids as SSE ids').to.equal(true);

      // The same events, with the same ids, reach a library subscriber in a third process.
      const deadline = Date.now() + 5000;
      while (seenByLibrary.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seenByLibrary.map((e) => e.id)).to.deep.equal(messages.map((m) => m.id));

      // A client that reconnects to instance B with Last-Event-ID gets what followed, and nothing before.
      const resumed = await connectSse(`${urlB}${COLLECTION_PATH}/events?db_connection_id=db-x`, { 'last-event-id': messages[1].id as string });
      try {
        const replay = await resumed.until((m) => m.data.type === 'deleted');
        expect(replay.map((m) => m.id)).to.deep.equal(messages.slice(2).map((m) => m.id));
      } finally {
        resumed.close();
      }
    } finally {
      client.close();
      unsubscribe();
      await libraryStore.close?.();
    }
  });

  it('aborts, within 100 ms, a task run here when instance B pauses its session over HTTP', async () => {
    const { urlB, newStore } = backend();
    const store = newStore();
    const runner = new AgentSessionManager(store);
    try {
      const session = await runner.create({ dbConnectionId: 'db-x' });
      let started!: (signal: AbortSignal) => void;
      const running = new Promise<AbortSignal>((resolve) => (started = resolve));
      const run = runner.runTask(session.id, ({ signal }) => {
        started(signal);
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      });
      const signal = await running;
      const aborted = new Promise<number>((resolve) => signal.addEventListener('abort', () => resolve(performance.now())));
      await call(urlB, 'POST', `${COLLECTION_PATH}/${session.id}/pause`);
      const pausedAt = performance.now();
      expect((await aborted) - pausedAt, 'ms from the pause response to the abort').to.be.below(100);
      expect((await run).outcome).to.equal('interrupted');
      expect((await runner.get(session.id)).status).to.equal('paused');
    } finally {
      await store.close?.();
    }
  });
}
