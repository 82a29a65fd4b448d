import { AgentSessionManager } from '../src/index.js';
import { createClient, whenReady } from '../src/adapters/redis/connection.js';
import { RedisSessionStore } from '../src/redis.js';

// The Redis store against raw ioredis on the same private server: each manager call is one
// round trip, so the floor is one command of the same kind (EVALSHA of a trivial script, or
// HGETALL), sent through a client with the same settings as the store's own. The ratio shows
// what the scripts, argument marshalling and decoding cost on top.

/** ops/s of one operation at one concurrency, ours against the one-command baseline. */
export interface RedisOpsComparison {
  operation: string;
  concurrency: number;
  ours: number;
  baseline: number;
  ratio: number;
  goal?: number;
}

const ROUND_MS = 1_000;
const ROUNDS = 3;
const CONCURRENCIES = [1, 64];
const TRIVIAL_SCRIPT = 'return 1';

type Operation = (worker: number) => Promise<unknown>;

async function opsPerSecond(operation: Operation, concurrency: number): Promise<number> {
  let done = 0;
  const until = Date.now() + ROUND_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < until) {
        await operation(worker);
        done++;
      }
    }),
  );
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function runRedisOpsBench(url: string, log: (line: string) => void): Promise<RedisOpsComparison[]> {
  const store = new RedisSessionStore({ url, prefix: `bench-ops-${process.pid}` });
  const manager = new AgentSessionManager(store);
  const raw = createClient(url);
  await whenReady(raw, 5_000);
  const trivialSha = (await raw.script('LOAD', TRIVIAL_SCRIPT)) as string;
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `{bench-raw}:k${i}`);
  // Sessions to read and to pause/resume: one per worker, so workers never conflict.
  const sessions = await Promise.all(Array.from({ length: 64 }, (_, i) => manager.create({ dbConnectionId: `db-${i % 4}`, metadata: { n: i } })));
  const rawKey = `{bench-ops-${process.pid}}:s:${sessions[0].id}`;
  const paused = new Set<number>();

  const operations: Array<{ name: string; ours: Operation; baseline: Operation; goal?: number }> = [
    {
      name: 'create',
      ours: () => manager.create({ dbConnectionId: 'db-create', title: 'bench', metadata: { team: 'analytics' } }),
      baseline: () => raw.evalsha(trivialSha, 5, ...keys(5), 'id', 'ms', 'fields'),
    },
    { name: 'get', ours: (w) => manager.get(sessions[w].id), baseline: () => raw.hgetall(rawKey) },
    {
      name: 'pause/resume',
      ours: async (w) => {
        const wasPaused = paused.has(w);
        await (wasPaused ? manager.resume(sessions[w].id) : manager.pause(sessions[w].id));
        if (wasPaused) paused.delete(w);
        else paused.add(w);
      },
      baseline: () => raw.evalsha(trivialSha, 1, ...keys(1), 'base', 'id', '', 'now'),
    },
    {
      name: 'list (db filter, limit 10)',
      ours: (w) => manager.list({ dbConnectionId: `db-${w % 4}`, limit: 10 }),
      baseline: () => raw.evalsha(trivialSha, 1, ...keys(1), 'base', '0', '10'),
    },
  ];

  const results: RedisOpsComparison[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      for (const op of operations) {
        await opsPerSecond(op.ours, concurrency); // warm-up (and EVALSHA script caches)
        await opsPerSecond(op.baseline, concurrency);
        const ours: number[] = [];
        const baseline: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          ours.push(await opsPerSecond(op.ours, concurrency));
          baseline.push(await opsPerSecond(op.baseline, concurrency));
        }
        const ratio = median(ours.map((o, i) => o / baseline[i]));
        results.push({ operation: op.name, concurrency, ours: median(ours), baseline: median(baseline), ratio, goal: concurrency === 64 ? 0.8 : undefined });
        log(`  ${op.name} at concurrency ${concurrency}: ${median(ours).toFixed(0)} vs ${median(baseline).toFixed(0)} ops/s, ratio ${ratio.toFixed(2)}`);
      }
    }
  } finally {
    raw.disconnect();
    await store.close();
  }
  return results;
}
