import { SESSIONS } from './001-sessions.js';
import { IDEMPOTENCY_KEYS } from './002-idempotency-keys.js';
import { SEARCH } from './003-search.js';
import { ONE_CHANGE_TRIGGER } from './004-one-change-trigger.js';

/**
 * One schema change. Migrations are applied in `version` order, each once, in its own
 * transaction, and never change or drop what an earlier one made that holds data: a new
 * version adds. Released migrations are never edited; fix forward with a new one.
 */
export interface Migration {
  version: number;
  name: string;
  /** The SQL, given the quoted schema name and the NOTIFY channel of change events. */
  sql(schema: string, channel: string): string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [SESSIONS, IDEMPOTENCY_KEYS, SEARCH, ONE_CHANGE_TRIGGER];
