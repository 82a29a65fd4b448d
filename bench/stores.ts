import { Redis } from 'ioredis';
import { MemorySessionStore, SESSION_STATUSES, type SessionStore } from '../src/index.js';
import { RedisSessionStore } from '../src/redis.js';
import { PostgresSessionStore } from '../src/postgres.js';
import { bulkFillPostgres } from './scale/postgres-fill.js';
import { DB_CONNECTIONS } from './scale/fill.js';

/** A store the benchmarks can run against. Add an entry to benchmark another backend. */
export interface BenchStore {
  name: string;
  create(options?: { indexedMetadataKeys?: readonly string[] }): Promise<SessionStore> | SessionStore;
  /** Session counts for the listing benchmark. */
  sizes: number[];
  /** True when the sessions live in this process's heap, so heap growth is the store's memory. */
  inProcess: boolean;
  /** For a store outside the process: bytes per session as the backend reports them. */
  bytesPerSession?(count: number): Promise<number>;
  /** Fills the store faster than one insert per session (default: `fillStore`). */
  fill?(store: SessionStore, count: number): Promise<void>;
}

// Each bench process has its own prefix on the private redis-server that bench/run.ts starts
// (BENCH_REDIS_URL); that server is killed after the run, so nothing needs deleting.
const redisPrefix = `bench-scale-${process.pid}`;
const redisUrl = () => {
  const url = process.env.BENCH_REDIS_URL;
  if (!url) throw new Error('BENCH_REDIS_URL is not set: bench/run.ts starts a private redis-server');
  return url;
};

/** Session hashes sampled with MEMORY USAGE, plus every index of the prefix counted exactly. */
async function redisBytesPerSession(count: number): Promise<number> {
  const redis = new Redis(redisUrl());
  try {
    const base = `{${redisPrefix}}`;
    const sample = await redis.zrange(`${base}:i:all`, 0, 999);
    const hashBytes = await Promise.all(sample.map((id) => redis.memory('USAGE', `${base}:s:${id}`)));
    const averageHash = hashBytes.reduce((sum: number, b) => sum + Number(b ?? 0), 0) / sample.length;
    const indexKeys = [`${base}:i:all`];
    for (let db = 0; db < DB_CONNECTIONS; db++) indexKeys.push(`${base}:i:db:db-${db}`);
    for (const status of SESSION_STATUSES) {
      indexKeys.push(`${base}:i:st:${status}`);
      for (let db = 0; db < DB_CONNECTIONS; db++) indexKeys.push(`${base}:i:dbst:${status}:db-${db}`);
    }
    const indexBytes = await Promise.all(indexKeys.map((key) => redis.memory('USAGE', key, 'SAMPLES', 0)));
    return averageHash + indexBytes.reduce((sum: number, b) => sum + Number(b ?? 0), 0) / count;
  } finally {
    redis.disconnect();
  }
}

// Likewise a schema per bench process on the private PostgreSQL that bench/run.ts starts.
export const postgresSchema = `bench_scale_${process.pid}`;
export const postgresUrl = () => {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) throw new Error('BENCH_DATABASE_URL is not set: bench/run.ts starts a private PostgreSQL');
  return url;
};

/** Every store the bench knows, by name; the HTTP target server picks one by name too. */
export const BENCH_STORES: Record<string, BenchStore> = {
  memory: { name: 'memory', create: (options) => new MemorySessionStore(options), sizes: [10_000, 1_000_000], inProcess: true },
  redis: {
    name: 'redis',
    create: (options) => new RedisSessionStore({ ...options, url: redisUrl(), prefix: redisPrefix }),
    sizes: [10_000, 1_000_000],
    inProcess: false,
    bytesPerSession: redisBytesPerSession,
  },
  postgres: {
    name: 'postgres',
    create: (options) => new PostgresSessionStore({ ...options, url: postgresUrl(), schema: postgresSchema }),
    sizes: [10_000, 1_000_000],
    inProcess: false,
    fill: (store, count) => bulkFillPostgres(store as PostgresSessionStore, postgresUrl(), postgresSchema, count),
  },
};

export function benchStore(name: string): BenchStore {
  const store = BENCH_STORES[name];
  if (!store) throw new Error(`Unknown bench store '${name}'; known: ${Object.keys(BENCH_STORES).join(', ')}`);
  return store;
}
