import { AgentSessionManager } from '../src/index.js';
import { createClient, whenReady } from '../src/adapters/redis/connection.js';
import { SessionKeys } from '../src/adapters/redis/keys.js';
import { defineSessionScripts } from '../src/adapters/redis/scripts/index.js';
import { toHashFields } from '../src/adapters/redis/session-hash.js';
import { RedisSessionStore } from '../src/redis.js';

// The Redis store against raw ioredis on the same private server: each manager call is one
// round trip, so the floor is one command of the same kind (EVALSHA of a trivial script, or
// HGETALL), sent through a client with the same settings as the store's own. The ratio shows
// what the scripts, argument marshalling and decoding cost on top. A second reference sends the
// store's own script with its arguments ready and does not decode the reply: ours against it is
// the cost of the manager and the store layer alone (validation, arguments, decoding).

/** ops/s of one operation at one concurrency, ours against the one-command baseline. */
export interface RedisOpsComparison {
  operation: string;
  concurrency: number;
  ours: number;
  baseline: number;
  ratio: number;
  goal?: number;
  /** ops/s of the store's own script through raw ioredis, arguments prepared, reply not decoded. */
  sameScript?: number;
  /** ours / sameScript: what the manager and store layer cost on top of the script itself. */
  layerRatio?: number;
}

const ROUND_MS = 1_000;
const ROUNDS = 3;
const CONCURRENCIES = [1, 64];
const TRIVIAL_SCRIPT = 'return 1';

/** One call of a benchmarked operation, by worker number. */
export type Operation = (worker: number) => Promise<unknown>;

/** Calls per second of `operation` from `concurrency` workers over one round of ROUND_MS. */
export async function opsPerSecond(operation: Operation, concurrency: number): Promise<number> {
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

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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
  // The same scripts on the raw client, on sessions of their own under another prefix.
  const scripts = defineSessionScripts(raw);
  const keys2 = new SessionKeys(`bench-same-${process.pid}`);
  const template = sessions[0];
  let created = 0;
  const sameSession = (n: number) => ({ ...template, id: `sess_same${n}`, dbConnectionId: 'db-create' });
  const insertArgs = (session: typeof template) => [
    keys2.session(session.id), ...keys2.indexesOf(session.dbConnectionId, session.status), keys2.events,
    session.id, String(Date.parse(session.createdAt)), '10000', ...toHashFields(session),
  ];
  for (let w = 0; w < 64; w++) await scripts.agentSessionsInsert(...insertArgs({ ...sameSession(-w - 1), dbConnectionId: `db-${w % 4}` }));
  const samePaused = new Set<number>();
  const updateArgs = (w: number, status: 'paused' | 'active', from: string[]) => {
    const id = sameSession(-w - 1).id;
    return [keys2.session(id), keys2.events, keys2.runs, keys2.leases, keys2.indexBase, id, '', String(Date.now()), '', status, '', '1', '10000', ...from];
  };

  const operations: Array<{ name: string; ours: Operation; baseline: Operation; sameScript?: Operation }> = [
    {
      name: 'create',
      ours: () => manager.create({ dbConnectionId: 'db-create', title: 'bench', metadata: { team: 'analytics' } }),
      baseline: () => raw.evalsha(trivialSha, 5, ...keys(5), 'id', 'ms', 'fields'),
      sameScript: () => scripts.agentSessionsInsert(...insertArgs(sameSession(created++))),
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
      sameScript: async (w) => {
        const wasPaused = samePaused.has(w);
        await scripts.agentSessionsUpdate(...(wasPaused ? updateArgs(w, 'active', ['paused']) : updateArgs(w, 'paused', ['active', 'running'])));
        if (wasPaused) samePaused.delete(w);
        else samePaused.add(w);
      },
    },
    {
      name: 'list (db filter, limit 10)',
      ours: (w) => manager.list({ dbConnectionId: `db-${w % 4}`, limit: 10 }),
      baseline: () => raw.evalsha(trivialSha, 1, ...keys(1), 'base', '0', '10'),
      sameScript: (w) => scripts.agentSessionsList(keys2.index(`db-${w % 4}`), keys2.sessionBase, '0', '10'),
    },
  ];

  const results: RedisOpsComparison[] = [];
  try {
    for (const concurrency of CONCURRENCIES) {
      for (const op of operations) {
        await opsPerSecond(op.ours, concurrency); // warm-up (and EVALSHA script caches)
        await opsPerSecond(op.baseline, concurrency);
        if (op.sameScript) await opsPerSecond(op.sameScript, concurrency);
        const ours: number[] = [];
        const baseline: number[] = [];
        const sameScript: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          ours.push(await opsPerSecond(op.ours, concurrency));
          baseline.push(await opsPerSecond(op.baseline, concurrency));
          if (op.sameScript) sameScript.push(await opsPerSecond(op.sameScript, concurrency));
        }
        const ratio = median(ours.map((o, i) => o / baseline[i]));
        const layer = op.sameScript ? { sameScript: median(sameScript), layerRatio: median(ours.map((o, i) => o / sameScript[i])) } : {};
        results.push({ operation: op.name, concurrency, ours: median(ours), baseline: median(baseline), ratio, goal: concurrency === 64 ? 0.8 : undefined, ...layer });
        const vsScript = layer.layerRatio === undefined ? '' : `; same script through raw ioredis ${layer.sameScript.toFixed(0)} ops/s, ratio ${layer.layerRatio.toFixed(2)}`;
        log(`  ${op.name} at concurrency ${concurrency}: ${median(ours).toFixed(0)} vs ${median(baseline).toFixed(0)} ops/s, ratio ${ratio.toFixed(2)}${vsScript}`);
      }
    }
  } finally {
    raw.disconnect();
    await store.close();
  }
  return results;
}
