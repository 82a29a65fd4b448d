// The Redis store: import from 'agent-sessions/redis'. Only this entry loads ioredis.
export {
  DEFAULT_EVENT_STREAM_MAX_LENGTH,
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './adapters/redis/redis-session-store.js';
export type { RedisClient } from './adapters/redis/connection.js';
