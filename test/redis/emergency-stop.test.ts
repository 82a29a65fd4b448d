import { describeEmergencyStop } from '../helpers/emergency-stop.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';

describe('emergency stop: bulk pause of running tasks on two instances sharing one Redis', function () {
  this.timeout(120_000);
  const redis = useStandaloneRedis();
  describeEmergencyStop(() => {
    const first = redis.newStore();
    // The second instance: its own connection, the same keys.
    return [first, redis.newStoreWithPrefix(redis.prefixOf(first))];
  });
});
