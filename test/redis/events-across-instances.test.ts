import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AgentSessionManager, type SessionEvent } from '../../src/index.js';
import { COLLECTION_PATH, startServer } from '../../src/server/index.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';
import { callOk as call, startServerProcess, stopServerProcess as stop } from '../helpers/server-process.js';
import { connectSse } from '../helpers/sse-client.js';

describe('change events across server instances sharing one Redis', function () {
  this.timeout(60_000);
  const redis = useStandaloneRedis();
  const prefix = `events-${process.pid}`;
  let a: { child: ChildProcess; url: string } | undefined;
  let b: { child: ChildProcess; url: string } | undefined;

  before(async () => {
    const { port } = redis.admin().options as { port: number };
    const env = { STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: prefix };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });

  after(async () => {
    await Promise.all([stop(a?.child), stop(b?.child)]);
  });

  it('streams to an SSE client of instance A, in order, the changes made through instance B', async () => {
    const { url: urlA } = a as { url: string };
    const { url: urlB } = b as { url: string };
    const client = await connectSse(`${urlA}${COLLECTION_PATH}/events?db_connection_id=db-x`);
    const libraryStore = redis.newStoreWithPrefix(prefix);
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
      expect(messages.every((m) => /^\d+-\d+$/.test(m.id ?? '')), 'stream ids as SSE ids').to.equal(true);

      // The same events, with the same ids, reach a library subscriber in a third process.
      const deadline = Date.now() + 5000;
      while (seenByLibrary.length < expected.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seenByLibrary.map((e) => e.id)).to.deep.equal(messages.map((m) => m.id));
    } finally {
      client.close();
      unsubscribe();
      await libraryStore.close();
    }
  });

  it('aborts, within 100 ms, a task run here when instance B pauses its session over HTTP', async () => {
    const store = redis.newStoreWithPrefix(prefix);
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
      await call((b as { url: string }).url, 'POST', `${COLLECTION_PATH}/${session.id}/pause`);
      const pausedAt = performance.now();
      expect((await aborted) - pausedAt, 'ms from the pause response to the abort').to.be.below(100);
      expect((await run).outcome).to.equal('interrupted');
      expect((await runner.get(session.id)).status).to.equal('paused');
    } finally {
      await store.close();
    }
  });

  it('releases the Redis reader and every listener after 1,000 SSE connect/disconnect cycles', async () => {
    const store = redis.newStoreWithPrefix(prefix);
    const manager = new AgentSessionManager(store);
    const server = await startServer({ manager, port: 0, leaseReaperIntervalMs: false, onUnexpectedError: (e) => console.error(e) });
    const admin = redis.admin() as Redis;
    await manager.checkStore();
    const clientsBefore = String(await admin.client('LIST')).trim().split('\n').length;
    try {
      for (let i = 0; i < 1000; i++) {
        const client = await connectSse(`${server.url}${COLLECTION_PATH}/events`);
        client.close();
        await client.ended;
      }
      const deadline = Date.now() + 5000;
      while (manager.events.listenerCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(manager.events.listenerCount(), 'manager listeners').to.equal(0);
      expect(store.listenerCount, 'store listeners').to.equal(0);
      let clientsAfter = Infinity;
      for (let i = 0; i < 100 && clientsAfter > clientsBefore; i++) {
        clientsAfter = String(await admin.client('LIST')).trim().split('\n').length;
        if (clientsAfter > clientsBefore) await new Promise((r) => setTimeout(r, 20));
      }
      expect(clientsAfter, 'Redis connections after the cycles').to.be.at.most(clientsBefore);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
