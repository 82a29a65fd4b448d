// Defaults with no dependencies, so the server's configuration can show them without loading pg.

/** Default of about how many change events the events table keeps. */
export const DEFAULT_EVENT_RETENTION = 10_000;
/** Default schema of the store's tables. */
export const DEFAULT_SCHEMA = 'agent_sessions';
/** Default size of the pool the store opens for a URL. */
export const DEFAULT_POOL_SIZE = 10;
