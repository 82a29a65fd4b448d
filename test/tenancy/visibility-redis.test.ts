import { useStandaloneRedis } from '../helpers/redis-env.js';
import { describeVisibilityProperty } from './visibility-property.js';

describe('RedisSessionStore on a private standalone redis-server', function () {
  const redis = useStandaloneRedis();
  describeVisibilityProperty('RedisSessionStore', () => redis.harness.create(), { numRuns: 60, httpRuns: 20, dispose: (store) => redis.harness.dispose?.(store) ?? Promise.resolve() });
});
