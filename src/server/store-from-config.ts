import { MemorySessionStore } from '../adapters/memory/memory-session-store.js';
import { StoreUnavailableError, type SessionStore } from '../domain/index.js';
import type { ServerConfig } from './config.js';

/** The store the configuration asks for; ioredis is loaded only for `redis`, pg only for `postgres`. */
export async function createStoreFromConfig(config: ServerConfig): Promise<SessionStore> {
  switch (config.store) {
    case 'memory':
      return new MemorySessionStore();
    case 'redis': {
      const { RedisSessionStore } = await import('../redis.js');
      return new RedisSessionStore({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        eventStreamMaxLength: config.redisEventStreamMaxLength,
      });
    }
    case 'postgres': {
      const { PostgresSessionStore } = await importPostgresStore();
      const store = new PostgresSessionStore({
        url: config.databaseUrl,
        poolSize: config.databasePoolSize,
        schema: config.databaseSchema,
        eventRetention: config.databaseEventRetention,
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

/** The PostgreSQL store module; without the optional `pg` package, an error that says what to install. */
export async function importPostgresStore(): Promise<typeof import('../postgres.js')> {
  try {
    return await import('../postgres.js');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /'pg'/.test(String((error as Error).message))) {
      throw new Error("STORE=postgres needs the 'pg' package, an optional peer dependency: install it with `npm install pg`.", { cause: error });
    }
    throw error;
  }
}
