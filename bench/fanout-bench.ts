import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createAgentSessionManager } from '../src/index.js';
import { startServer } from '../src/server/index.js';
import { forkTsx } from './fork-tsx.js';
import { benchStore } from './stores.js';
import { median, spreadOf } from './stats.js';

/** Update latency with many event-stream subscribers against none, for one store. */
export interface FanoutResult {
  store: string;
  subscribers: number;
  /** PATCH latency in ms (medians over the rounds) of a session no stream follows. */
  alone: { p50Ms: number; p99Ms: number };
  /** The same for a session whose db connection `subscribers` streams follow. */
  followed: { p50Ms: number; p99Ms: number };
  /** Median over the rounds of followed p50 / alone p50. */
  ratio: number;
  /** Lowest and highest per-round ratio. */
  spread: [number, number];
  goal: number;
}

const SUBSCRIBERS = 200;
const ROUNDS = 9;
const PER_ROUND = 60;
const FOLLOWED_DB = 'db-followed';
const QUIET_DB = 'db-quiet';
// About 1 KB of metadata: an update a host would really send, not a one-field toggle.
const metadata = (i: number) => ({ step: i, notes: 'n'.repeat(1000) });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function patchLatencies(url: string, sessionId: string, count: number): Promise<{ p50Ms: number; p99Ms: number }> {
  const took: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/api/v1/agent-sessions/${sessionId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: metadata(i) }),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`PATCH answered ${response.status}`);
    took.push(performance.now() - started);
  }
  took.sort((a, b) => a - b);
  return { p50Ms: percentile(took, 0.5), p99Ms: percentile(took, 0.99) };
}

/**
 * Sequential PATCHes over HTTP while 200 streams (in a child process, reading as fast as they
 * can) follow one db connection: rounds alternate a session of that db connection with one of
 * another (whose events no stream takes), so a shared machine's drift hits both alike. The
 * server and its store run in this process; the ratio is what delivery adds to an update.
 */
export async function runFanoutBench(storeName: string, log: (line: string) => void): Promise<FanoutResult> {
  const store = await benchStore(storeName).create();
  const manager = createAgentSessionManager({ store });
  const running = await startServer({ manager, port: 0, eventStreamMaxClients: SUBSCRIBERS + 10 });
  const path = fileURLToPath(new URL('./fanout/subscribers.ts', import.meta.url));
  const subscribers = await forkTsx<{ open: number }>(path, [running.url, String(SUBSCRIBERS), FOLLOWED_DB]);
  try {
    const followed = await manager.create({ dbConnectionId: FOLLOWED_DB });
    const quiet = await manager.create({ dbConnectionId: QUIET_DB });
    for (const session of [followed, quiet]) await patchLatencies(running.url, session.id, PER_ROUND);
    const rounds: Array<{ alone: { p50Ms: number; p99Ms: number }; followed: { p50Ms: number; p99Ms: number } }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0 ? quiet : followed;
      const second = first === quiet ? followed : quiet;
      const [a, b] = [await patchLatencies(running.url, first.id, PER_ROUND), await patchLatencies(running.url, second.id, PER_ROUND)];
      rounds.push(first === quiet ? { alone: a, followed: b } : { alone: b, followed: a });
    }
    subscribers.child.send('bytes');
    const [{ bytes }] = (await once(subscribers.child, 'message')) as [{ bytes: number }];
    const result: FanoutResult = {
      store: storeName,
      subscribers: subscribers.firstMessage.open,
      alone: { p50Ms: median(rounds.map((r) => r.alone.p50Ms)), p99Ms: median(rounds.map((r) => r.alone.p99Ms)) },
      followed: { p50Ms: median(rounds.map((r) => r.followed.p50Ms)), p99Ms: median(rounds.map((r) => r.followed.p99Ms)) },
      ratio: median(rounds.map((r) => r.followed.p50Ms / r.alone.p50Ms)),
      spread: spreadOf(rounds.map((r) => r.followed.p50Ms / r.alone.p50Ms)),
      goal: 2,
    };
    log(
      `  ${storeName}: PATCH p50 ${result.alone.p50Ms.toFixed(2)} ms unfollowed, ${result.followed.p50Ms.toFixed(2)} ms followed by ` +
        `${result.subscribers} streams (ratio ${result.ratio.toFixed(2)}; the streams read ${(bytes / 1e6).toFixed(0)} MB)`,
    );
    return result;
  } finally {
    subscribers.child.send('stop');
    await subscribers.exited;
    await running.close(1000);
    await store.close?.();
  }
}

// Run on its own: `npx tsx bench/fanout-bench.ts [memory|redis]` (redis needs BENCH_REDIS_URL).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runFanoutBench(process.argv[2] ?? 'memory', (line) => console.error(line));
  console.log(JSON.stringify(result, null, 2));
}
