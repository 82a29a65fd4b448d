import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AgentSessionManager } from '../../src/index.js';
import { COLLECTION_PATH, startServer } from '../../src/server/index.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';
import { describeEventsAcrossInstances } from '../helpers/events-across-instances.js';
import { startServerProcess, stopServerProcess as stop } from '../helpers/server-process.js';
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

  describeEventsAcrossInstances(() => ({
    urlA: (a as { url: string }).url,
    urlB: (b as { url: string }).url,
    newStore: () => redis.newStoreWithPrefix(prefix),
  }));

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
