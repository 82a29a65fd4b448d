import { startChildServer, type ChildServer } from './http/child-server.js';
import { startShippedServer } from './http/shipped-server.js';
import { LOAD, runLoad, type LoadRequest } from './http/load.js';
import { CREATE_BODY } from './http/seed.js';
import { median, spreadOf } from './stats.js';

/** One server's figures for one endpoint: medians over the rounds. */
export interface ServerFigures {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server process CPU (user + system) per request, in µs. */
  cpuMicrosPerRequest: number;
}

/** Our server against the bare Koa baseline for one endpoint. */
export interface HttpComparison {
  endpoint: string;
  ours: ServerFigures;
  baseline: ServerFigures;
  /** Median over the rounds of ours / baseline req/s, each round measured back to back. */
  ratio: number;
  /** The lowest and highest of those per-round ratios. */
  spread: [number, number];
  /** Median over the rounds of baseline CPU per request / ours: 1 means no more CPU than bare Koa. */
  cpuRatio: number;
  goal?: number;
}

const COLLECTION = '/api/v1/agent-sessions';
// Many short rounds: a shared machine's speed drifts, and the shorter the gap between the two
// halves of a round, the less the drift lands in that round's ratio.
const ROUNDS = 9;

const ENDPOINTS: { endpoint: string; goal?: number; request: (server: ChildServer) => LoadRequest }[] = [
  { endpoint: 'GET /api/v1/agent-sessions/{id}', goal: 0.85, request: (s) => ({ method: 'GET', path: `${COLLECTION}/${s.sessionId}` }) },
  { endpoint: 'POST /api/v1/agent-sessions', goal: 0.8, request: () => ({ method: 'POST', path: COLLECTION, body: CREATE_BODY }) },
];


async function measureRound(server: ChildServer, request: LoadRequest) {
  const cpuBefore = await server.cpuMicros();
  const load = await runLoad(server.url, request, LOAD.durationSeconds);
  return { ...load, cpuMicrosPerRequest: ((await server.cpuMicros()) - cpuBefore) / load.requests };
}

type Round = Awaited<ReturnType<typeof measureRound>>;

function figures(rounds: Round[]): ServerFigures {
  return {
    requestsPerSecond: median(rounds.map((r) => r.requestsPerSecond)),
    latencyP50Ms: median(rounds.map((r) => r.latencyP50Ms)),
    latencyP99Ms: median(rounds.map((r) => r.latencyP99Ms)),
    cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest)),
  };
}

/**
 * Ours is `node dist/cli.js` with its defaults (memory store, access log on), as `npm start` runs it.
 * Each server runs in its own child process and autocannon in this one, so on a 2-core machine
 * the server under load has a core to itself instead of fighting the load generator for one.
 * The two servers are measured back to back in short rounds (alternating who goes first) and
 * the median round counts, so load from other processes on a shared machine hits both alike.
 */
export async function runHttpBench(log: (line: string) => void): Promise<HttpComparison[]> {
  const ours = await startShippedServer();
  const baseline = await startChildServer('baseline-server');
  try {
    const comparisons: HttpComparison[] = [];
    for (const { endpoint, goal, request } of ENDPOINTS) {
      log(`  ${endpoint}: warm-up, then ${ROUNDS} rounds of ${LOAD.durationSeconds} s per server, ${LOAD.connections} connections`);
      for (const server of [ours, baseline]) await runLoad(server.url, request(server), LOAD.warmupSeconds);
      const rounds = { ours: [] as Round[], baseline: [] as Round[] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const);
        for (const which of order) {
          const server = which === 'ours' ? ours : baseline;
          rounds[which].push(await measureRound(server, request(server)));
        }
      }
      const [o, b] = [figures(rounds.ours), figures(rounds.baseline)];
      const ratios = rounds.ours.map((r, i) => r.requestsPerSecond / rounds.baseline[i].requestsPerSecond);
      const ratio = median(ratios);
      const spread = spreadOf(ratios);
      const cpuRatio = median(rounds.ours.map((r, i) => rounds.baseline[i].cpuMicrosPerRequest / r.cpuMicrosPerRequest));
      comparisons.push({ endpoint, ours: o, baseline: b, ratio, spread, cpuRatio, goal });
      log(`    ratio ${ratio.toFixed(2)} (${spread.map((r) => r.toFixed(2)).join('–')}), CPU ratio ${cpuRatio.toFixed(2)}`);
    }
    return comparisons;
  } finally {
    await Promise.all([ours.stop(), baseline.stop()]);
  }
}
