import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { describeIdempotentCreateRace } from '../helpers/idempotent-create-race.js';
import { useStandaloneRedis } from '../helpers/redis-env.js';

describe('idempotent create raced by several processes on one Redis', function () {
  this.timeout(60_000);
  const redis = useStandaloneRedis();
  describeIdempotentCreateRace(() => {
    const store = redis.newStore();
    return {
      store,
      workerPath: fileURLToPath(new URL('./idempotent-create-worker.ts', import.meta.url)),
      url: `redis://127.0.0.1:${(redis.admin() as Redis).options.port}`,
      namespace: redis.prefixOf(store),
    };
  });
});
