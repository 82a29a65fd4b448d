import { describeSessionStoreContract } from '../../src/testing.js';
import { useRedisCluster, useStandaloneRedis } from '../helpers/redis-env.js';

describe('RedisSessionStore on a private standalone redis-server', function () {
  const redis = useStandaloneRedis();
  describeSessionStoreContract('RedisSessionStore (standalone)', redis.harness);
});

describe('RedisSessionStore on a private 3-master Redis Cluster', function () {
  const redis = useRedisCluster();
  describeSessionStoreContract('RedisSessionStore (cluster)', redis.harness);
});
