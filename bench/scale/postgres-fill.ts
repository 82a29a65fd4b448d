import pg from 'pg';
import { SESSION_STATUSES } from '../../src/index.js';
import type { PostgresSessionStore } from '../../src/postgres.js';
import { DB_CONNECTIONS } from './fill.js';

/**
 * Runs `load` with the store's change trigger (events and counters, migration 4) off: a bulk load
 * records no change events, and the caller fills the counters itself.
 */
export async function withoutChangeTrigger(client: pg.Client, schema: string, load: () => Promise<unknown>): Promise<void> {
  await client.query(`ALTER TABLE ${schema}.sessions DISABLE TRIGGER session_changed`);
  try {
    await load();
  } finally {
    await client.query(`ALTER TABLE ${schema}.sessions ENABLE TRIGGER session_changed`);
  }
}

/**
 * The same sessions `fillStore` makes (one per millisecond, db and status cycling as `filterFor`
 * reads them), written by one INSERT ... SELECT generate_series: a million single inserts would
 * take minutes and time the writes, not the listing. The triggers are off for the load (no million
 * change events); the counters are then filled from one GROUP BY, and VACUUM ANALYZE leaves the
 * table as a long-running one would be.
 */
export async function bulkFillPostgres(store: PostgresSessionStore, url: string, schema: string, count: number): Promise<void> {
  await store.migrate();
  const client = new pg.Client(url);
  await client.connect();
  try {
    const s = `"${schema}"`;
    const statuses = `ARRAY[${SESSION_STATUSES.map((status) => `'${status}'`).join(', ')}]`;
    await withoutChangeTrigger(client, s, () =>
      client.query(
        `INSERT INTO ${s}.sessions (id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version)
         SELECT 'sess_' || md5(i::text || random()::text), 'db-' || (i % ${DB_CONNECTIONS}), (${statuses})[(i / ${DB_CONNECTIONS}) % 5 + 1],
           'full_autonomy', 100, NULL, t, t, '{"team": "analytics"}', 1
         FROM generate_series(0, $1 - 1) AS i, LATERAL (SELECT timestamptz '2026-01-01T00:00:00Z' + i * interval '1 millisecond' AS t) at`,
        [count],
      ),
    );
    await client.query(
      `INSERT INTO ${s}.session_counts (db_connection_id, status, shard, n)
       SELECT db_connection_id, status, 0, count(*) FROM ${s}.sessions GROUP BY db_connection_id, status
       UNION ALL SELECT '', status, 0, count(*) FROM ${s}.sessions GROUP BY status`,
    );
    await client.query(`VACUUM ANALYZE ${s}.sessions`);
  } finally {
    await client.end();
  }
}
