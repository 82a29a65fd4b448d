import pg from 'pg';
import { AgentSessionManager, newSessionId } from '../src/index.js';
import { listStatement } from '../src/adapters/postgres/list-query.js';
import { toRowValues } from '../src/adapters/postgres/session-row.js';
import { sessionStatements } from '../src/adapters/postgres/statements.js';
import { PostgresSessionStore } from '../src/postgres.js';
import { opsPerSecond, type Operation, type RedisOpsComparison } from './redis-ops-bench.js';
import { median, spreadOf } from './stats.js';

// The PostgreSQL store against the same SQL sent through raw `pg`: the same statements (prepared,
// by name), the same parameters ready-made, on a pool of the same size, the reply not decoded.
// The ratio is what the manager and the store layer (validation, parameters, decoding, outcome)
// cost on top of the database's own work.

const ROUNDS = 5;
const CONCURRENCY = 64;
const POOL_SIZE = 16;

export async function runPostgresOpsBench(url: string, log: (line: string) => void): Promise<RedisOpsComparison[]> {
  const schema = `bench_ops_${process.pid}`;
  const store = new PostgresSessionStore({ url, schema, poolSize: POOL_SIZE });
  const manager = new AgentSessionManager(store);
  const raw = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  const sql = sessionStatements(`"${schema}"`);
  // One session per worker for each side, so workers never wait on each other's row locks.
  const ours = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => manager.create({ dbConnectionId: `db-${i % 4}`, metadata: { n: i } })));
  const theirs = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => manager.create({ dbConnectionId: `db-${i % 4}`, metadata: { n: i } })));
  const template = ours[0];
  const toggle = () => {
    const paused = new Set<number>();
    return (w: number) => {
      const wasPaused = paused.has(w);
      if (wasPaused) paused.delete(w);
      else paused.add(w);
      return wasPaused;
    };
  };
  const oursToggle = toggle();
  const rawToggle = toggle();
  const query = (name: string, text: string, values: unknown[]) => raw.query({ name: `raw_${name}`, text, values });

  const operations: Array<{ name: string; ours: Operation; baseline: Operation }> = [
    {
      name: 'create',
      ours: () => manager.create({ dbConnectionId: 'db-create', title: 'bench', metadata: { team: 'analytics' } }),
      baseline: () => query('insert', sql.insert, toRowValues({ ...template, id: newSessionId(), dbConnectionId: 'db-create', title: 'bench' })),
    },
    {
      name: 'pause/resume',
      ours: (w) => (oursToggle(w) ? manager.resume(ours[w].id) : manager.pause(ours[w].id)),
      baseline: (w) => {
        const resume = rawToggle(w);
        const values = [theirs[w].id, null, resume ? ['paused'] : ['active', 'running'], new Date().toISOString(), false, null, resume ? 'active' : 'paused', null, null];
        return query('update', sql.update, values);
      },
    },
    {
      name: 'list (db filter, limit 10)',
      ours: (w) => manager.list({ dbConnectionId: `db-${w % 4}`, limit: 10 }),
      baseline: (w) => {
        const { text, values } = listStatement(`"${schema}"`, { dbConnectionId: `db-${w % 4}`, limit: 10, offset: 0 });
        return query('list', text, values);
      },
    },
  ];

  const results: RedisOpsComparison[] = [];
  try {
    for (const op of operations) {
      await opsPerSecond(op.ours, CONCURRENCY); // warm-up (and prepared statements on every connection)
      await opsPerSecond(op.baseline, CONCURRENCY);
      const mine: number[] = [];
      const baseline: number[] = [];
      // Interleaved, alternating who goes first, so drift on a shared machine hits both alike.
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) mine.push(await opsPerSecond(op.ours, CONCURRENCY));
        baseline.push(await opsPerSecond(op.baseline, CONCURRENCY));
        if (round % 2 === 1) mine.push(await opsPerSecond(op.ours, CONCURRENCY));
      }
      const ratios = mine.map((o, i) => o / baseline[i]);
      const ratio = median(ratios);
      results.push({ operation: op.name, concurrency: CONCURRENCY, ours: median(mine), baseline: median(baseline), ratio, spread: spreadOf(ratios), goal: 0.8 });
      log(`  ${op.name} at concurrency ${CONCURRENCY}: ${median(mine).toFixed(0)} vs ${median(baseline).toFixed(0)} ops/s, ratio ${ratio.toFixed(2)}`);
    }
  } finally {
    await raw.end();
    await store.close();
  }
  return results;
}
