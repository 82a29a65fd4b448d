import { expect } from 'chai';
import { Cluster, Redis } from 'ioredis';
import { AgentSessionManager, StoreUnavailableError } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import { keysOf, useRedisCluster, useStandaloneRedis, type RedisTestEnv } from '../helpers/redis-env.js';

// Db connection ids that look like parts of the key layout, or carry hash-tag braces.
const TRICKY_DB_IDS = ['a', 'a:b', 'b', '{a}', 'a}', '{', 'active:a', 'dbst:active:a', 'st:active', 'all', '}{x'];

function describeKeyLayout(redis: RedisTestEnv): void {
  let store: RedisSessionStore;
  beforeEach(() => {
    store = redis.newStore();
  });
  afterEach(() => redis.harness.dispose?.(store));

  it('keeps db connection ids containing ":", "{" or "}" apart in every listing', async () => {
    const manager = new AgentSessionManager(store);
    const byDb = new Map<string, string>();
    for (const [i, dbConnectionId] of TRICKY_DB_IDS.entries()) {
      const session = await manager.create({ dbConnectionId });
      if (i % 2) await manager.pause(session.id);
      byDb.set(dbConnectionId, session.id);
    }
    for (const [i, dbConnectionId] of TRICKY_DB_IDS.entries()) {
      const status = i % 2 ? 'paused' : 'active';
      const id = byDb.get(dbConnectionId);
      const ofDb = await manager.list({ dbConnectionId });
      expect(ofDb.sessions.map((s) => s.id), `list db '${dbConnectionId}'`).to.deep.equal([id]);
      const ofBoth = await manager.list({ dbConnectionId, status });
      expect(ofBoth.sessions.map((s) => s.id), `list db '${dbConnectionId}' ${status}`).to.deep.equal([id]);
    }
    expect((await manager.list({})).total).to.equal(TRICKY_DB_IDS.length);
  });

  it('puts every key of a store in the one Cluster slot of its prefix', async () => {
    const manager = new AgentSessionManager(store);
    for (const dbConnectionId of TRICKY_DB_IDS) await manager.create({ dbConnectionId });
    const admin = redis.admin();
    const nodes = admin instanceof Cluster ? admin.nodes('master') : [admin];
    const keys = await keysOf(nodes, redis.prefixOf(store));
    expect(keys.length).to.be.greaterThan(TRICKY_DB_IDS.length * 2);
    for (const key of keys) expect(key.startsWith(`{${redis.prefixOf(store)}}:`), key).to.equal(true);
    if (admin instanceof Cluster) {
      const slots = new Set(await Promise.all(keys.map((key) => admin.cluster('KEYSLOT', key))));
      expect([...slots]).to.have.length(1);
    }
  });
}

describe('Redis key layout', function () {
  describe('on standalone Redis', function () {
    describeKeyLayout(useStandaloneRedis());
  });
  describe('on a Redis Cluster', function () {
    describeKeyLayout(useRedisCluster());
  });
});

describe('RedisSessionStore options', function () {
  const redis = useStandaloneRedis();
  const url = () => (redis.admin() as Redis).options;

  it('refuses a prefix with braces or an empty one', () => {
    const { host, port } = url();
    for (const prefix of ['a{b', 'a}b', '']) {
      expect(() => new RedisSessionStore({ url: `redis://${host}:${port}`, prefix }), `prefix '${prefix}'`).to.throw(TypeError);
    }
  });

  it('leaves a client it was given open when closed', async () => {
    const { host, port } = url();
    const client = new Redis({ host, port });
    try {
      const store = new RedisSessionStore({ client, prefix: 'given' });
      await store.get('sess_none');
      await store.close();
      expect(await client.ping()).to.equal('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('closes a connection it opened itself, after which calls fail as unavailable', async () => {
    const { host, port } = url();
    const store = new RedisSessionStore({ url: `redis://${host}:${port}`, prefix: 'own' });
    await store.get('sess_none');
    await store.close();
    let failure: unknown;
    await store.get('sess_none').catch((error: unknown) => (failure = error));
    expect(failure).to.be.instanceOf(StoreUnavailableError);
  });
});
