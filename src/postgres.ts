// The PostgreSQL store: import from 'agent-sessions/postgres'. Only this entry loads pg.
export {
  DEFAULT_EVENT_RETENTION,
  PostgresSessionStore,
  type PostgresSessionStoreOptions,
} from './adapters/postgres/postgres-session-store.js';
export type { PostgresPool } from './adapters/postgres/connection.js';
