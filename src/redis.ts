// The Redis store: import from 'agent-sessions/redis'. Only this entry loads ioredis.
export { RedisSessionStore, type RedisSessionStoreOptions } from './adapters/redis/redis-session-store.js';
export type { RedisClient } from './adapters/redis/connection.js';
