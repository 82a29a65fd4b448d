import { useStandaloneRedis } from '../helpers/redis-env.js';
import { describeManagerModel } from './manager-model.js';

describe('RedisSessionStore on a private standalone redis-server', function () {
  const redis = useStandaloneRedis();
  describeManagerModel('RedisSessionStore (standalone)', redis.harness.create, { dispose: redis.harness.dispose });
});
