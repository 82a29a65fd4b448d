import { expect } from 'chai';
import { Redis } from 'ioredis';
import { AgentSessionManager } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';

// Data the store did not write: a hash evicted under an allkeys-* policy, a field someone
// edited. Pages skip such records (repairing the index for a missing hash) and log why; no
// invalid session is ever served, and one bad record fails nobody else's page.

describe('RedisSessionStore with data it did not write', function () {
  this.timeout(20_000);
  let redis: PrivateRedis;
  let admin: Redis;
  let store: RedisSessionStore;
  let manager: AgentSessionManager;
  let warnings: string[];
  let prefix = 0;

  before(async () => {
    redis = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
    admin = new Redis(redis.url);
  });

  after(async () => {
    admin?.disconnect();
    await redis?.destroy();
  });

  beforeEach(() => {
    warnings = [];
    store = new RedisSessionStore({ url: redis.url, prefix: `data-${prefix++}`, logger: { warn: (message) => warnings.push(message) } });
    manager = new AgentSessionManager(store);
  });

  afterEach(async () => {
    await store.close();
  });

  const key = (id: string) => `{data-${prefix - 1}}:s:${id}`;

  it('warns at connect that maxmemory-policy is not noeviction', async () => {
    await manager.list();
    for (let i = 0; i < 50 && warnings.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(warnings.join('\n')).to.match(/maxmemory-policy is 'allkeys-lru'.*noeviction/s);
  });

  it('skips a session whose hash is gone, and drops it from the indexes', async () => {
    const kept = await manager.create({ dbConnectionId: 'db-data' });
    const evicted = await manager.create({ dbConnectionId: 'db-data' });
    await admin.del(key(evicted.id));
    const page = await manager.list({ dbConnectionId: 'db-data' });
    expect(page.sessions.map((s) => s.id)).to.deep.equal([kept.id]);
    expect(page.total).to.equal(1);
    for (const session of page.sessions) expect(session.createdAt).not.to.match(/^1970/);
    // The repair runs beside the page; the next page of the whole store no longer counts it.
    let all = await manager.list();
    for (let i = 0; i < 50 && all.total !== 1; i++) all = await manager.list();
    expect(all.total).to.equal(1);
  });

  it('serves every other session of a page with a corrupt record, and logs the corrupt one', async () => {
    const good = await manager.create({ dbConnectionId: 'db-data' });
    const bad = await manager.create({ dbConnectionId: 'db-data' });
    const bogus = await manager.create({ dbConnectionId: 'db-data' });
    await admin.hset(key(bad.id), 'metadata', '{not json');
    await admin.hset(key(bogus.id), 'status', 'bogus');
    const page = await manager.list({ dbConnectionId: 'db-data' });
    expect(page.sessions.map((s) => s.id)).to.deep.equal([good.id]);
    expect(warnings.join('\n')).to.include(bad.id).and.to.include("field 'metadata'");
    expect(warnings.join('\n')).to.include(bogus.id).and.to.include("field 'status'");
  });

  it('never serves a corrupt session on get: it fails with a clear error naming it', async () => {
    const bad = await manager.create({ dbConnectionId: 'db-data' });
    await admin.hset(key(bad.id), 'recursionLimit', 'lots');
    const error = await manager.get(bad.id).then(
      () => undefined,
      (failure: unknown) => failure as Error,
    );
    expect(error?.name).to.equal('CorruptSessionError');
    expect(error?.message).to.include(bad.id).and.to.include("field 'recursionLimit'");
  });
});
