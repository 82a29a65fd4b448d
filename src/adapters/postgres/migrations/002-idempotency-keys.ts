import type { Migration } from './index.js';

/**
 * Idempotency keys of creates: the digest of scope and key, the first create's record, and when
 * it expires by the database's clock. A key is claimed in the same statement that inserts its
 * session; an expired key may be claimed again. Expired rows are deleted in batches by the store
 * (see `trimIdempotencyKeys`), through the index on `expires_at`.
 */
export const IDEMPOTENCY_KEYS: Migration = {
  version: 2,
  name: 'idempotency keys of creates',
  sql: (s) => `
CREATE TABLE ${s}.idempotency_keys (
  key text COLLATE "C" PRIMARY KEY,
  record jsonb NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX idempotency_keys_by_expiry ON ${s}.idempotency_keys (expires_at);
`,
};
