import pg from 'pg';
import { SESSION_STATUSES } from '../../src/index.js';
import type { PostgresSessionStore } from '../../src/postgres.js';
import { withoutChangeTrigger } from '../scale/postgres-fill.js';

/**
 * The sessions the search worker's `fill` makes (db-(i%2), user u((i>>1)%2), status cycling every
 * 4, one per millisecond), written by one INSERT ... SELECT generate_series with the triggers off
 * (no million change events or counter upserts; the counters are then filled from a GROUP BY),
 * then VACUUM ANALYZE, as a long-running table would be.
 */
export async function searchFillPostgres(store: PostgresSessionStore, url: string, schema: string, count: number): Promise<void> {
  await store.migrate();
  const client = new pg.Client(url);
  await client.connect();
  try {
    const s = `"${schema}"`;
    const statuses = `ARRAY[${SESSION_STATUSES.map((status) => `'${status}'`).join(', ')}]`;
    await withoutChangeTrigger(client, s, () =>
      client.query(
        `INSERT INTO ${s}.sessions (id, db_connection_id, status, mode, recursion_limit, title, created_at, updated_at, metadata, version)
         SELECT 'sess_' || md5(i::text || random()::text), 'db-' || (i % 2), (${statuses})[(i / 4) % 5 + 1],
           'full_autonomy', 100, NULL, t, t, jsonb_build_object('user_id', 'u' || ((i >> 1) % 2), 'team', 'analytics'), 1
         FROM generate_series(0, $1 - 1) AS i, LATERAL (SELECT timestamptz '2026-01-01T00:00:00Z' + i * interval '1 millisecond' AS t) at`,
        [count],
      ),
    );
    // The counters the disabled triggers would have kept, from one GROUP BY each.
    await client.query(
      `INSERT INTO ${s}.session_counts (db_connection_id, status, shard, n)
       SELECT x.db, status, 0, count(*) FROM ${s}.sessions, LATERAL (VALUES (db_connection_id), ('')) x (db) GROUP BY 1, 2`,
    );
    await client.query(
      `INSERT INTO ${s}.session_key_counts (key, value, db_connection_id, status, shard, n)
       SELECT 'user_id', metadata -> 'user_id', x.db, status, 0, count(*)
       FROM ${s}.sessions, LATERAL (VALUES (db_connection_id), ('')) x (db) GROUP BY 2, 3, 4`,
    );
    await client.query(`VACUUM ANALYZE ${s}.sessions`);
  } finally {
    await client.end();
  }
}
