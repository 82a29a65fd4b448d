import { AgentSessionManager, type AgentSession } from '../src/index.js';
import { createClient, whenReady } from '../src/adapters/redis/connection.js';
import { SessionKeys } from '../src/adapters/redis/keys.js';
import { searchEntriesOf } from '../src/domain/search-index.js';
import { toHashFields } from '../src/adapters/redis/session-hash.js';
import { RedisSessionStore } from '../src/redis.js';
import { median, spreadOf } from './stats.js';

// The Redis store against raw ioredis on the same private server. The reference for a write is
// the data commands the store must run anyway (HSET of the hash, the list and search index ZADD/ZREM, the XADD
// of its change event) sent as one MULTI/EXEC through a client with the store's settings; for a
// list page it is ZREVRANGE plus a pipelined HGETALL of each id on the page. The ratio is what
// the store adds on top: the script's checks, argument marshalling, decoding and the manager.
// Redis's own CPU per write (INFO commandstats) is compared with the data commands' alone.

/** ops/s of one operation at one concurrency, ours against the raw data commands. */
export interface RedisOpsComparison {
  operation: string;
  concurrency: number;
  ours: number;
  baseline: number;
  /** Median over the rounds of ours / baseline, each round measured back to back. */
  ratio: number;
  /** Lowest and highest per-round ratio. */
  spread: [number, number];
  goal?: number;
}

/** Redis CPU per write: our script's against the sum of the data commands it runs. */
export interface RedisCpuComparison {
  operation: string;
  oursMicros: number;
  dataCommandsMicros: number;
  /** Of oursMicros, the commands the script calls (the rest is Lua and the script call itself). */
  commandsInsideMicros: number;
  /** Median over CPU_ROUNDS interleaved rounds of ours / data commands. */
  ratio: number;
  /** Lowest and highest per-round ratio. */
  spread: [number, number];
  goal: number;
}

const ROUND_MS = 1_000;
const ROUNDS = 5;
const CONCURRENCIES = [1, 64];
const PAGE = 100;
const STREAM_MAX = '10000';
// Redis CPU per write: rounds of CPU_CALLS sequential calls each, ours and the data commands
// interleaved (alternating who goes first), so a shared machine's drift hits both alike.
const CPU_ROUNDS = 9;
const CPU_CALLS = 1_000;

/** One call of a benchmarked operation, by worker number. */
export type Operation = (worker: number) => Promise<unknown>;
type Client = ReturnType<typeof createClient>;

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


/** The raw data commands of our writes, on keys of their own (same layout, another prefix). */
class RawDataCommands {
  private readonly keys: SessionKeys;
  private created = 0;

  constructor(
    private readonly raw: Client,
    prefix: string,
  ) {
    this.keys = new SessionKeys(prefix);
  }

  private event(type: string, previousStatus: string, session: AgentSession): string[] {
    return [this.keys.events, 'MAXLEN', '~', STREAM_MAX, '*', 'event.type', type, 'event.previousStatus', previousStatus, ...toHashFields(session)];
  }

  create(template: AgentSession) {
    const session = { ...template, id: `sess_raw${this.created++}` };
    const score = Date.parse(session.createdAt);
    const multi = this.raw.multi().hset(this.keys.session(session.id), ...toHashFields(session));
    for (const index of this.keys.indexesOf(session.dbConnectionId, session.status)) multi.zadd(index, score, session.id);
    for (const [name, entry] of searchEntriesOf(session, [])) multi.zadd(this.keys.searchIndex(name), 0, entry);
    return multi.xadd(...(this.event('created', '', session) as [string, ...string[]])).exec();
  }

  /**
   * Moves `session` to `status` the way an update script does: hash, two list-index moves, the
   * search entries that change (status and updated-at ones), event.
   */
  transition(session: AgentSession, status: AgentSession['status']) {
    const score = Date.parse(session.createdAt);
    const next = { ...session, status, version: session.version + 1, updatedAt: new Date().toISOString() };
    const key = this.keys.session(session.id);
    const multi = this.raw.multi();
    const [before, after] = [searchEntriesOf(session, []), searchEntriesOf(next, [])].map((pairs) => new Set(pairs.map((p) => p.join('\n'))));
    for (const pair of before) if (!after.has(pair)) multi.zrem(this.keys.searchIndex(pair.split('\n')[0]), pair.split('\n')[1]);
    for (const pair of after) if (!before.has(pair)) multi.zadd(this.keys.searchIndex(pair.split('\n')[0]), 0, pair.split('\n')[1]);
    return multi
      .hset(key, 'status', status, 'version', String(next.version), 'updatedAt', String(Date.parse(next.updatedAt)))
      .zrem(this.keys.index(undefined, session.status), session.id)
      .zrem(this.keys.index(session.dbConnectionId, session.status), session.id)
      .zadd(this.keys.index(undefined, status), score, session.id)
      .zadd(this.keys.index(session.dbConnectionId, status), score, session.id)
      .xadd(...(this.event('transitioned', session.status, next) as [string, ...string[]]))
      .exec();
  }

  async listPage(dbConnectionId: string) {
    const ids = await this.raw.zrevrange(this.keys.index(dbConnectionId), 0, PAGE - 1);
    const pipeline = this.raw.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.session(id));
    return pipeline.exec();
  }
}

/** Microseconds per call of each command since the last CONFIG RESETSTAT. */
async function commandStats(raw: Client): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const line of ((await raw.info('commandstats')) as string).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match) stats.set(match[1], { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
}

/** Redis CPU in µs per call of `run`: the usec of `commands` in INFO commandstats over `count` calls. */
async function measureCpu(raw: Client, run: () => Promise<unknown>, count: number, commands: string[]): Promise<number> {
  return (await measureCommands(raw, run, count, commands)).micros;
}

/** The same, with the µs per call of every command seen (the commands a script calls are counted too). */
async function measureCommands(raw: Client, run: () => Promise<unknown>, count: number, commands: string[]) {
  await raw.config('RESETSTAT');
  for (let i = 0; i < count; i++) await run();
  const stats = await commandStats(raw);
  const perCall = new Map([...stats].filter(([name]) => !name.startsWith('config')).map(([name, s]) => [name, s.usec / count]));
  return { micros: commands.reduce((sum, command) => sum + (perCall.get(command) ?? 0), 0), perCall };
}

/** Ours (the script: EVALSHA, which includes the commands it calls) against the data commands alone. */
async function compareCpu(raw: Client, ours: () => Promise<unknown>, data: () => Promise<unknown>) {
  const oursMicros: number[] = [];
  const dataMicros: number[] = [];
  const ratios: number[] = [];
  const inside: number[] = [];
  const measureOurs = async () => {
    const { micros, perCall } = await measureCommands(raw, ours, CPU_CALLS, ['evalsha', 'eval']);
    inside.push([...perCall].filter(([name]) => !name.startsWith('eval')).reduce((sum, [, usec]) => sum + usec, 0));
    return micros;
  };
  const measureData = () => measureCpu(raw, data, CPU_CALLS, ['hset', 'zadd', 'zrem', 'xadd']);
  for (let round = 0; round < CPU_ROUNDS; round++) {
    let o: number, d: number;
    if (round % 2 === 0) {
      o = await measureOurs();
      d = await measureData();
    } else {
      d = await measureData();
      o = await measureOurs();
    }
    oursMicros.push(o);
    dataMicros.push(d);
    ratios.push(o / d);
  }
  return {
    oursMicros: median(oursMicros),
    dataCommandsMicros: median(dataMicros),
    commandsInsideMicros: median(inside),
    ratio: median(ratios),
    spread: spreadOf(ratios),
  };
}

export async function runRedisOpsBench(
  url: string,
  log: (line: string) => void,
  { throughput = true } = {},
): Promise<{ ops: RedisOpsComparison[]; cpu: RedisCpuComparison[] }> {
  const store = new RedisSessionStore({ url, prefix: `bench-ops-${process.pid}` });
  const manager = new AgentSessionManager(store);
  const raw = createClient(url);
  await whenReady(raw, 5_000);
  const data = new RawDataCommands(raw, `bench-raw-${process.pid}`);
  // Sessions to list and to pause/resume: one per worker, so workers never conflict; pages full.
  const sessions = await Promise.all(Array.from({ length: 64 }, (_, i) => manager.create({ dbConnectionId: `db-${i % 4}`, metadata: { n: i } })));
  for (let i = 0; i < 4 * PAGE; i++) await manager.create({ dbConnectionId: `db-${i % 4}`, metadata: { n: i } });
  const template = sessions[0];
  const rawSessions = sessions.map((s) => ({ ...s, id: `sess_rawmove${s.id}` }));
  for (const s of rawSessions) await data.create({ ...s });
  for (let i = 0; i < 4 * PAGE; i++) await data.create({ ...template, dbConnectionId: `db-${i % 4}` });
  const paused = new Set<number>();
  const rawPaused = new Set<number>();
  const toggle = async (w: number, set: Set<number>, pause: () => Promise<unknown>, resume: () => Promise<unknown>) => {
    const wasPaused = set.has(w);
    await (wasPaused ? resume() : pause());
    if (wasPaused) set.delete(w);
    else set.add(w);
  };
  const createInput = { dbConnectionId: 'db-create', title: 'bench', metadata: { team: 'analytics' } };

  const operations: Array<{ name: string; ours: Operation; baseline: Operation }> = [
    { name: 'create', ours: () => manager.create(createInput), baseline: () => data.create({ ...template, dbConnectionId: 'db-create' }) },
    {
      name: 'pause/resume',
      ours: (w) => toggle(w, paused, () => manager.pause(sessions[w].id), () => manager.resume(sessions[w].id)),
      baseline: (w) =>
        toggle(
          w,
          rawPaused,
          () => data.transition({ ...rawSessions[w], status: 'active' }, 'paused'),
          () => data.transition({ ...rawSessions[w], status: 'paused' }, 'active'),
        ),
    },
    { name: `list (db filter, limit ${PAGE})`, ours: (w) => manager.list({ dbConnectionId: `db-${w % 4}`, limit: PAGE }), baseline: (w) => data.listPage(`db-${w % 4}`) },
  ];

  const ops: RedisOpsComparison[] = [];
  const cpu: RedisCpuComparison[] = [];
  try {
    for (const concurrency of throughput ? CONCURRENCIES : []) {
      for (const op of operations) {
        await opsPerSecond(op.ours, concurrency); // warm-up (and EVALSHA script caches)
        await opsPerSecond(op.baseline, concurrency);
        const ours: number[] = [];
        const baseline: number[] = [];
        // Interleaved, alternating who goes first, so drift on a shared machine hits both alike.
        for (let round = 0; round < ROUNDS; round++) {
          const pair = round % 2 === 0 ? [op.ours, op.baseline] : [op.baseline, op.ours];
          const [first, second] = [await opsPerSecond(pair[0], concurrency), await opsPerSecond(pair[1], concurrency)];
          ours.push(round % 2 === 0 ? first : second);
          baseline.push(round % 2 === 0 ? second : first);
        }
        const ratios = ours.map((o, i) => o / baseline[i]);
        const ratio = median(ratios);
        ops.push({ operation: op.name, concurrency, ours: median(ours), baseline: median(baseline), ratio, spread: spreadOf(ratios), goal: concurrency === 64 ? 0.8 : undefined });
        log(`  ${op.name} at concurrency ${concurrency}: ${median(ours).toFixed(0)} vs ${median(baseline).toFixed(0)} ops/s, ratio ${ratio.toFixed(2)}`);
      }
    }
    const writes = [
      { operation: 'create', ours: () => manager.create(createInput), data: () => data.create({ ...template, dbConnectionId: 'db-create' }) },
      {
        operation: 'pause/resume',
        ours: () => toggle(0, paused, () => manager.pause(sessions[0].id), () => manager.resume(sessions[0].id)),
        data: () =>
          toggle(0, rawPaused, () => data.transition({ ...rawSessions[0], status: 'active' }, 'paused'), () => data.transition({ ...rawSessions[0], status: 'paused' }, 'active')),
      },
    ];
    for (const write of writes) {
      await measureCpu(raw, write.ours, CPU_CALLS, []); // warm-up
      await measureCpu(raw, write.data, CPU_CALLS, []);
      const result = await compareCpu(raw, write.ours, write.data);
      cpu.push({ operation: write.operation, ...result, goal: 1.5 });
      const [low, high] = result.spread;
      log(
        `  Redis CPU per ${write.operation}: ${result.oursMicros.toFixed(1)} µs (commands inside ${result.commandsInsideMicros.toFixed(1)}) ` +
          `vs data commands ${result.dataCommandsMicros.toFixed(1)} µs, ` +
          `ratio ${result.ratio.toFixed(2)} (${low.toFixed(2)}–${high.toFixed(2)} over ${CPU_ROUNDS} rounds)`,
      );
    }
  } finally {
    raw.disconnect();
    await store.close();
  }
  return { ops, cpu };
}
