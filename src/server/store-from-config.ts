import { MemorySessionStore } from '../adapters/memory/memory-session-store.js';
import type { SessionStore } from '../domain/index.js';
import type { ServerConfig } from './config.js';
import { loadOptional } from './optional-package.js';

/**
 * The store the configuration asks for. ioredis is an optional peer dependency, loaded only for
 * `redis`; without it this rejects with a `MissingPackageError` naming the package.
 */
export async function createStoreFromConfig(config: ServerConfig): Promise<SessionStore> {
  switch (config.store) {
    case 'memory':
      return new MemorySessionStore({
        eventRetention: config.memoryEventRetention,
        eventRetentionBytes: config.memoryEventRetentionBytes,
        indexedMetadataKeys: config.indexedMetadataKeys,
      });
    case 'redis': {
      const { RedisSessionStore } = await loadOptional('ioredis', 'STORE=redis', () => import('../redis.js'));
      return new RedisSessionStore({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        eventStreamMaxLength: config.redisEventStreamMaxLength,
        indexedMetadataKeys: config.indexedMetadataKeys,
      });
    }
  }
}
