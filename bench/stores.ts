import { MemorySessionStore, type SessionStore } from '../src/index.js';

/** A store the benchmarks can run against. Add an entry to benchmark another backend. */
export interface BenchStore {
  name: string;
  create(): Promise<SessionStore> | SessionStore;
  /** Session counts for the listing benchmark; a remote store may choose smaller ones. */
  sizes: number[];
  /** True when the sessions live in this process's heap, so heap growth is the store's memory. */
  inProcess: boolean;
}

/** Every store the bench knows, by name; the HTTP target server picks one by name too. */
export const BENCH_STORES: Record<string, BenchStore> = {
  memory: { name: 'memory', create: () => new MemorySessionStore(), sizes: [10_000, 1_000_000], inProcess: true },
  // Redis (src/redis.ts) plugs in here, for example behind an env variable:
  //   redis: { name: 'redis', create: () => new RedisSessionStore({ url, prefix }), sizes: [10_000, 100_000], inProcess: false }
  // with a fresh prefix per run and its keys deleted afterwards.
};

export function benchStore(name: string): BenchStore {
  const store = BENCH_STORES[name];
  if (!store) throw new Error(`Unknown bench store '${name}'; known: ${Object.keys(BENCH_STORES).join(', ')}`);
  return store;
}
