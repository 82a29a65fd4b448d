import type pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';

/** The NOTIFY channel change events of `schema` are announced on. */
export function eventChannel(schema: string): string {
  return `${schema}_events`;
}

/** The advisory lock (by `hashtext`) taken while changing `schema`'s tables and indexes. */
export function migrationLockKey(schema: string): string {
  return `agent-sessions:migrate:${schema}`;
}

/**
 * Brings `schema` up to the newest migration and returns the versions it applied (none when
 * already current). Safe to run from many processes at once: a session-level advisory lock keyed
 * on the schema name lets one apply while the others wait, then find nothing left to do.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<number[]> {
  const client = await pool.connect();
  const s = `"${schema}"`;
  const lockKey = migrationLockKey(schema);
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
      const done = new Set(rows.map((row) => row.version));
      const applied: number[] = [];
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql(s, eventChannel(schema)));
          await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection whose state is unknown (an error mid-way) is closed rather than reused.
    client.release(broken);
  }
}
