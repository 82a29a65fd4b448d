import { MemorySessionStore } from '../adapters/memory/memory-session-store.js';
import type { SessionStore } from '../domain/index.js';
import type { ServerConfig } from './config.js';

/** The store the configuration asks for. */
export async function createStoreFromConfig(config: ServerConfig): Promise<SessionStore> {
  switch (config.store) {
    case 'memory':
      return new MemorySessionStore();
    case 'redis':
      throw new Error('STORE=redis: the Redis store is not part of this build yet.');
  }
}
