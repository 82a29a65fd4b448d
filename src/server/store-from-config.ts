import { MemorySessionStore } from '../adapters/memory/memory-session-store.js';
import { StoreUnavailableError, type SessionStore } from '../domain/index.js';
import type { ServerConfig } from './config.js';
import { loadOptional } from './optional-package.js';

/**
 * The store the configuration asks for. ioredis and pg are optional peer dependencies, loaded only
 * for `redis` and `postgres`; without one this rejects with a `MissingPackageError` naming it.
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
    case 'postgres': {
      const { PostgresSessionStore } = await importPostgresStore();
      const store = new PostgresSessionStore({
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        schema: config.databaseSchema,
        eventRetention: config.databaseEventRetention,
        indexedMetadataKeys: config.indexedMetadataKeys,
      });
      // Migrations at start (under an advisory lock, so many instances may start at once); a
      // database that is away now is not fatal: the store applies them on its first call.
      await store.migrate().catch((error: unknown) => {
        if (!(error instanceof StoreUnavailableError)) throw error;
      });
      return store;
    }
  }
}

/** The PostgreSQL store module; without the optional `pg` package, a `MissingPackageError`. */
export async function importPostgresStore(): Promise<typeof import('../postgres.js')> {
  return loadOptional('pg', 'STORE=postgres', () => import('../postgres.js'));
}
