import { Redis } from 'ioredis';
import { AgentSessionManager, newSessionId, SESSION_STATUSES, type SessionStore } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import type { PostgresSessionStore } from '../../src/postgres.js';
import { benchStore, postgresSchema, postgresUrl } from '../stores.js';
import { searchFillPostgres } from './postgres-fill.js';

// Child process: fills one store with argv[3] sessions, then times the search the bench is
// about: one db connection + one indexed metadata key + a status set, sorted by updated_at,
// 10 per page. It times the first page and the 100th cursor page (reached once by walking).
// The filter matches a tenth of the sessions at every size, so 10k sessions have 100 pages.

const WARMUP = 200;
const MEASURED = 2_000;
// Smaller than the listing fill: each insert here also writes 16 search index entries.
const BATCH = 200;
const START = Date.parse('2026-01-01T00:00:00.000Z');
const LIMIT = 10;
const QUERY = {
  dbConnectionId: 'db-0',
  metadata: { user_id: 'u0' },
  status: ['active', 'paused'] as const,
  sortBy: 'updatedAt' as const,
  limit: LIMIT,
};

/** Session i: db-(i%2), user u((i>>1)%2), status cycling over all five; one per millisecond. */
async function fill(store: SessionStore, count: number): Promise<void> {
  for (let from = 0; from < count; from += BATCH) {
    const batch: Promise<boolean>[] = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) {
      const at = new Date(START + i).toISOString();
      batch.push(
        store.insert({
          id: newSessionId(),
          dbConnectionId: `db-${i % 2}`,
          status: SESSION_STATUSES[Math.floor(i / 4) % SESSION_STATUSES.length],
          mode: 'full_autonomy',
          recursionLimit: 100,
          title: null,
          createdAt: at,
          updatedAt: at,
          metadata: { user_id: `u${(i >> 1) % 2}`, team: 'analytics' },
          version: 1,
        }),
      );
    }
    await Promise.all(batch);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timePage(manager: AgentSessionManager, cursor: string | undefined): Promise<{ p50Us: number; p99Us: number }> {
  const latencies: number[] = [];
  for (let n = 0; n < WARMUP + MEASURED; n++) {
    const started = process.hrtime.bigint();
    const page = await manager.search({ ...QUERY, status: [...QUERY.status], cursor });
    const elapsedUs = Number(process.hrtime.bigint() - started) / 1_000;
    if (page.sessions.length !== LIMIT) throw new Error(`expected a full page, got ${page.sessions.length}`);
    if (n >= WARMUP) latencies.push(elapsedUs);
  }
  latencies.sort((a, b) => a - b);
  return { p50Us: percentile(latencies, 50), p99Us: percentile(latencies, 99) };
}

const bench = benchStore(process.argv[2] ?? 'memory');
const count = Number(process.argv[3]);
// On a machine shared with other work a million-insert fill can meet a Redis pause longer than
// the store's 1 s fail-fast timeout, so the bench gives its own client a patient one.
const redisClient = bench.name === 'redis' ? new Redis(process.env.BENCH_REDIS_URL as string, { commandTimeout: 60_000 }) : undefined;
const store = redisClient
  ? new RedisSessionStore({ client: redisClient, prefix: `bench-search-${process.pid}`, indexedMetadataKeys: ['user_id'] })
  : await bench.create({ indexedMetadataKeys: ['user_id'] });
const fillStarted = Date.now();
// PostgreSQL: one INSERT ... SELECT (a million single inserts would time the writes, not search).
if (bench.name === 'postgres') await searchFillPostgres(store as PostgresSessionStore, postgresUrl(), postgresSchema, count);
else await fill(store, count);
const fillMs = Date.now() - fillStarted;
const manager = new AgentSessionManager(store);

const first = await manager.search({ ...QUERY, status: [...QUERY.status] });
let cursor = first.nextCursor ?? undefined;
for (let page = 2; page < 100; page++) {
  cursor = (await manager.search({ ...QUERY, status: [...QUERY.status], cursor })).nextCursor ?? undefined;
}
if (!cursor) throw new Error('fewer than 100 pages');
const firstPage = await timePage(manager, undefined);
const page100 = await timePage(manager, cursor);
await store.close?.();
redisClient?.disconnect();
process.send?.({ count, total: first.total, fillMs, firstPage, page100 });
