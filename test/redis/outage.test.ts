import { RedisSessionStore } from '../../src/redis.js';
import { describeOutageScenario } from '../helpers/outage-scenario.js';
import { startPrivateRedis } from '../helpers/redis-server.js';

// redis-server is SIGKILLed mid-stream and restarted on the same port and dir (AOF, fsync always).
describe('RedisSessionStore when redis-server is killed and restarted', function () {
  this.timeout(60_000);
  describeOutageScenario(
    async () => {
      const redis = await startPrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
      return { ...redis, store: new RedisSessionStore({ url: redis.url, prefix: 'outage' }) };
    },
    /redis|ECONN|127\.0\.0\.1|\d{4,5}|stream|connection is closed/i,
    'redis-server',
  );
});
