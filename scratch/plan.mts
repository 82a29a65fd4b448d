import pg from 'pg';
import { startPrivatePostgres } from '../test/helpers/postgres-server.ts';
import { PostgresSessionStore } from '../src/postgres.ts';
import { bulkFillPostgres } from '../bench/scale/postgres-fill.ts';
import { listStatement } from '../src/adapters/postgres/list-query.ts';
const s = await startPrivatePostgres();
const store = new PostgresSessionStore({ url: s.url, schema: 'b' });
let t = Date.now();
await bulkFillPostgres(store, s.url, 'b', 1_000_000);
console.log('fill ms', Date.now() - t);
const c = new pg.Client(s.url); await c.connect();
const { text, values } = listStatement('"b"', { dbConnectionId: 'db-3', status: 'paused', limit: 100, offset: 0 });
for (let i = 0; i < 3; i++) {
  const r = await c.query('EXPLAIN (ANALYZE, BUFFERS) ' + text.replace(/\$(\d+)/g, (_, n) => `'${values[Number(n) - 1]}'`));
  if (i === 2) console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
}
console.log((await c.query(`select pg_size_pretty(pg_total_relation_size('b.sessions')) s`)).rows);
await c.end(); await store.close(); await s.destroy();
