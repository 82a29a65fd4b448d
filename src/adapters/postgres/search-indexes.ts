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
  const client = await pool.connect();
  let broken = false;
  try {
    // Looked up first so a restart with every index in place takes no lock on the table.
    let present = await existing(client);
    if ([...wanted.keys()].every((name) => present.has(name))) return [];
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
