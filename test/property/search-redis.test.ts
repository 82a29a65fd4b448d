import { useRedisCluster, useStandaloneRedis } from '../helpers/redis-env.js';
import { describeSearchModel } from './search-model.js';

describe('RedisSessionStore on a private standalone redis-server', function () {
  const redis = useStandaloneRedis();
  describeSearchModel('RedisSessionStore (standalone)', (options) => redis.newStore(options), { numRuns: 40, dispose: redis.harness.dispose });
  // A tiny scan budget makes every search with checks continue over several script calls.
  describeSearchModel('RedisSessionStore (standalone, scan budget 2)', (options) => redis.newStore({ ...options, searchScanBudget: 2 }), {
    numRuns: 40,
    dispose: redis.harness.dispose,
  });
});

describe('RedisSessionStore on a private 3-master Redis Cluster', function () {
  const redis = useRedisCluster();
  describeSearchModel('RedisSessionStore (cluster)', (options) => redis.newStore(options), { numRuns: 15, dispose: redis.harness.dispose });
});
