import { expect } from 'chai';
import { Redis } from 'ioredis';
import { AgentSessionManager, type SessionEvent } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import { recordEvents } from '../../src/testing/events-contract.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';

describe('RedisSessionStore event stream', function () {
  this.timeout(60_000);
  let redis: PrivateRedis;
  let admin: Redis;

  before(async () => {
    redis = await startPrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    admin = new Redis(redis.url);
    admin.on('error', () => {}); // it sees the restart too
  });

  after(async () => {
    admin?.disconnect();
    await redis?.destroy();
  });

  it('keeps about eventStreamMaxLength entries; a subscriber resuming from before the window gets only what is retained', async () => {
    const store = new RedisSessionStore({ url: redis.url, prefix: 'trim', eventStreamMaxLength: 10 });
    const manager = new AgentSessionManager(store);
    try {
      const first = await manager.create({ dbConnectionId: 'db-trim' });
      const [[firstEventId]] = await admin.xrange('{trim}:events', '-', '+', 'COUNT', 1);
      for (let i = 0; i < 400; i++) await manager.update(first.id, { metadata: { i } });
      const length = await admin.xlen('{trim}:events');
      // MAXLEN ~ trims whole stream nodes (100 entries each by default), so "about" is up to a node more.
      expect(length, 'entries kept of 401').to.be.at.most(10 + 100);
      const resumed = await recordEvents(store, firstEventId);
      try {
        const last = await resumed.until((e) => e.session.metadata.i === 399);
        expect(last.length).to.equal(length);
        expect(last[0].session.metadata.i, 'oldest replayed').to.be.above(0);
      } finally {
        resumed.stop();
      }
    } finally {
      await store.close();
    }
  });

  it('emits in the same script as the write: one entry per change, none for a refused one', async () => {
    const store = new RedisSessionStore({ url: redis.url, prefix: 'atomic' });
    const manager = new AgentSessionManager(store);
    try {
      const session = await manager.create({ dbConnectionId: 'db-a' });
      await manager.pause(session.id);
      await manager.pause(session.id).catch(() => undefined);
      await manager.update(session.id, { title: null });
      const entries = await admin.xrange('{atomic}:events', '-', '+');
      expect(entries.map(([, fields]) => fields.slice(0, 4))).to.deep.equal([
        ['event.type', 'created', 'event.previousStatus', ''],
        ['event.type', 'transitioned', 'event.previousStatus', 'active'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('keeps a subscription alive through a Redis restart and delivers what was written after it', async () => {
    const store = new RedisSessionStore({ url: redis.url, prefix: 'restart' });
    const manager = new AgentSessionManager(store);
    const seen: SessionEvent[] = [];
    const unsubscribe = await manager.events.subscribe((event) => seen.push(event));
    try {
      const before = await manager.create({ dbConnectionId: 'db-r' });
      await redis.kill();
      await redis.restart();
      let after: string | undefined;
      for (let i = 0; i < 100 && !after; i++) {
        after = await manager.create({ dbConnectionId: 'db-r' }).then((s) => s.id, () => undefined);
        if (!after) await new Promise((r) => setTimeout(r, 50));
      }
      const deadline = Date.now() + 5000;
      while (!seen.some((e) => e.session.id === after) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(seen.map((e) => e.session.id)).to.deep.equal([before.id, after]);
    } finally {
      unsubscribe();
      await store.close();
    }
  });
});
