import { createHash } from 'node:crypto';
import type pg from 'pg';
import { migrationLockKey } from './migrate.js';

// Indexes for the host's indexed metadata keys. They depend on store options, not on the schema
// version, so they are not migrations: a store makes the missing ones when it starts, under the
// migration lock. Per key, four partial indexes (only sessions that have the key are in them):
// (value, status, time, id) and (value, db connection, status, time, id), for created_at and
// updated_at, so a search by key (and db connection) and status set reads matching entries only.
// Making one on a large table blocks writes to it while it builds; an index of a key no longer
// configured is left in place (drop it by hand: `sessions_meta_<digest>_*`).

/** The CREATE INDEX statements of `key` (already checked against `^[A-Za-z0-9_.-]+$`), by index name. */
export function metadataIndexes(s: string, key: string): Map<string, string> {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const indexes = new Map<string, string>();
  for (const [code, column] of [['c', 'created_at'], ['u', 'updated_at']] as const) {
    for (const [scope, db] of [['', ''], ['d', 'db_connection_id, ']] as const) {
      const name = `sessions_meta_${digest}_${scope}${code}`;
      indexes.set(name, `CREATE INDEX IF NOT EXISTS ${name} ON ${s}.sessions ((metadata -> '${key}'), ${db}status, ${column}, id) WHERE metadata ? '${key}'`);
    }
  }
  return indexes;
}

/** Makes the missing indexes of `keys` in `schema`; resolves with the names it made. */
export async function ensureMetadataIndexes(pool: pg.Pool, schema: string, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const wanted = new Map<string, string>();
  for (const key of keys) for (const [name, sql] of metadataIndexes(`"${schema}"`, key)) wanted.set(name, sql);
  const existing = async (client: pg.PoolClient) =>
    new Set((await client.query<{ name: string }>('SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1', [schema])).rows.map((r) => r.name));
  const counted = async (client: pg.PoolClient) =>
    new Set((await client.query<{ key: string }>(`SELECT key FROM "${schema}".search_keys`)).rows.map((r) => r.key));
  const client = await pool.connect();
  let broken = false;
  try {
    // Looked up first so a restart with every index in place takes no lock on the table.
    let present = await existing(client);
    const keysCounted = await counted(client);
    if ([...wanted.keys()].every((name) => present.has(name)) && keys.every((key) => keysCounted.has(key))) return [];
    const lockKey = migrationLockKey(schema);
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      present = await existing(client);
      const made: string[] = [];
      for (const [name, sql] of wanted) {
        if (present.has(name)) continue;
        await client.query(sql);
        made.push(name);
      }
      for (const key of keys) await countKey(client, `"${schema}"`, key);
      return made;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Starts keeping `session_key_counts` for `key`, unless already kept: adds it to `search_keys`
 * and counts the existing sessions, in one transaction that holds off writes meanwhile (SHARE
 * lock), so no write is counted twice or missed.
 */
async function countKey(client: pg.PoolClient, s: string, key: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(`LOCK TABLE ${s}.sessions IN SHARE MODE`);
    const { rowCount } = await client.query(`INSERT INTO ${s}.search_keys (key) VALUES ($1) ON CONFLICT DO NOTHING`, [key]);
    if (rowCount === 1) {
      await client.query(
        `INSERT INTO ${s}.session_key_counts (key, value, db_connection_id, status, shard, n)
         SELECT $1::text, metadata -> $1::text, x.db, status, 0, count(*)
         FROM ${s}.sessions, LATERAL (VALUES (db_connection_id), ('')) x (db)
         WHERE jsonb_typeof(metadata -> $1::text) IN ('string', 'number', 'boolean')
         GROUP BY 2, 3, 4`,
        [key],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
