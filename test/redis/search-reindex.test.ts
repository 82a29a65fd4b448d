import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { AgentSessionManager } from '../../src/index.js';
import { metadataTokensOf, searchEntriesOf } from '../../src/domain/search-index.js';
import { keysOf, useStandaloneRedis } from '../helpers/redis-env.js';

describe('RedisSessionStore.reindexSearch', () => {
  const redis = useStandaloneRedis();

  it('rewrites every search entry for new indexed metadata keys, dropping the old ones', async () => {
    const before = redis.newStore({ indexedMetadataKeys: ['user_id'] });
    const prefix = redis.prefixOf(before);
    const after = redis.newStoreWithPrefix(prefix, { indexedMetadataKeys: ['team'] });
    try {
      const manager = new AgentSessionManager(before);
      const sessions = [];
      for (let i = 0; i < 12; i++) sessions.push(await manager.create({ dbConnectionId: 'db', metadata: { user_id: `u${i % 2}`, team: `t${i % 3}` } }));
      await manager.update(sessions[0].id, { status: 'paused' });
      const managerAfter = new AgentSessionManager(after);
      expect(await managerAfter.count({ metadata: { team: 't0' } }), 'not indexed yet').to.equal(0);

      expect(await after.reindexSearch()).to.equal(12);
      expect(await managerAfter.count({ metadata: { team: 't0' } })).to.equal(4);
      expect(await managerAfter.count({ metadata: { team: 't1' }, status: 'active' })).to.equal(4);

      // Exactly the entries of the new keys are left.
      const admin = redis.admin() as Redis;
      const expected = new Map<string, string[]>();
      for (const id of sessions.map((s) => s.id)) {
        const session = await managerAfter.get(id);
        for (const [name, entry] of searchEntriesOf(session, metadataTokensOf(session.metadata, ['team']))) {
          expected.set(`{${prefix}}:i:x:${name}`, [...(expected.get(`{${prefix}}:i:x:${name}`) ?? []), entry].sort());
        }
      }
      const actual = new Map<string, string[]>();
      for (const key of (await keysOf([admin], prefix)).filter((k) => k.startsWith(`{${prefix}}:i:x:`))) {
        actual.set(key, (await admin.zrange(key, 0, -1)).sort());
      }
      expect(Object.fromEntries(actual)).to.deep.equal(Object.fromEntries(expected));
    } finally {
      await redis.harness.dispose?.(before);
      await after.close();
    }
  });
});
