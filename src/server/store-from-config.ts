import { MemorySessionStore } from '../adapters/memory/memory-session-store.js';
import type { SessionStore } from '../domain/index.js';
import type { ServerConfig } from './config.js';

/** The store the configuration asks for; ioredis is loaded only for `redis`. */
export async function createStoreFromConfig(config: ServerConfig): Promise<SessionStore> {
  switch (config.store) {
    case 'memory':
      return new MemorySessionStore({ indexedMetadataKeys: config.indexedMetadataKeys });
    case 'redis': {
      const { RedisSessionStore } = await import('../redis.js');
      return new RedisSessionStore({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        eventStreamMaxLength: config.redisEventStreamMaxLength,
        indexedMetadataKeys: config.indexedMetadataKeys,
      });
    }
  }
}
