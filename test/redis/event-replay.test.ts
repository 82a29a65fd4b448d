import { expect } from 'chai';
import { AgentSessionManager, type SessionEvent } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';

describe('RedisSessionStore resume replays', function () {
  this.timeout(120_000);
  let redis: PrivateRedis;

  before(async () => {
    redis = await startPrivateRedis();
  });

  after(async () => {
    await redis?.destroy();
  });

  it('keeps creates, reads and pings working while 50 clients replay a full stream at once, and gives each every event in order', async () => {
    const store = new RedisSessionStore({ url: redis.url, prefix: 'replay' });
    const manager = new AgentSessionManager(store);
    const watcher = new RedisSessionStore({ url: redis.url, prefix: 'replay' });
    try {
      const blob = 'r'.repeat(4 * 1024);
      const first = await manager.create({ dbConnectionId: 'db-replay', metadata: { i: 0, blob } });
      const seen: SessionEvent[] = [];
      const stop = await watcher.subscribe((event) => seen.push(event));
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => manager.create({ dbConnectionId: 'db-replay', metadata: { i: batch * 50 + i + 1, blob } })));
      }
      while (seen.length < 1000) await new Promise((resolve) => setTimeout(resolve, 10));
      stop();
      const startId = seen[0].id;
      // Every client resumes from the first event it saw (the second one written): 999 to replay each.
      const replays = Array.from({ length: 50 }, async () => {
        const got: SessionEvent[] = [];
        const unsubscribe = await watcher.subscribe((event) => got.push(event), { after: startId });
        return { got, unsubscribe };
      });
      let replaying = true;
      const all = Promise.all(replays).finally(() => (replaying = false));
      const failures: unknown[] = [];
      let calls = 0;
      // The store's own calls, on its main connection, while the replays run.
      do {
        const session = await manager.create({ dbConnectionId: 'db-other' }).catch((error: unknown) => void failures.push(error));
        if (session) await manager.get(session.id).catch((error: unknown) => void failures.push(error));
        await store.ping().catch((error: unknown) => void failures.push(error));
        calls++;
      } while (replaying);
      const results = await all;
      expect(failures.map(String), `failed calls of ${calls} rounds`).to.deep.equal([]);
      for (const { got, unsubscribe } of results) {
        unsubscribe();
        const replayed = got.filter((e) => e.session.dbConnectionId === 'db-replay').map((e) => e.id);
        expect(replayed).to.deep.equal(seen.slice(1).map((e) => e.id));
      }
      expect(seen.map((e) => e.session.id)).not.to.include(first.id);
    } finally {
      await watcher.close();
      await store.close();
    }
  });
});
