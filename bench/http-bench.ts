import { startChildServer, type ChildServer } from './http/child-server.js';
import { LOAD, measureLoad, type LoadRequest, type LoadResult } from './http/load.js';
import { CREATE_BODY } from './http/seed.js';

/** Our server against the bare Koa baseline for one endpoint; `ratio` is ours / baseline req/s. */
export interface HttpComparison {
  endpoint: string;
  ours: LoadResult;
  baseline: LoadResult;
  ratio: number;
  goal?: number;
}

const COLLECTION = '/api/v1/agent-sessions';
const ROUNDS = 2;

const ENDPOINTS: { endpoint: string; goal?: number; request: (server: ChildServer) => LoadRequest }[] = [
  { endpoint: 'GET /api/v1/agent-sessions/{id}', goal: 0.85, request: (s) => ({ method: 'GET', path: `${COLLECTION}/${s.sessionId}` }) },
  { endpoint: 'POST /api/v1/agent-sessions', request: () => ({ method: 'POST', path: COLLECTION, body: CREATE_BODY }) },
];

function mean(results: LoadResult[]): LoadResult {
  const avg = (pick: (r: LoadResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  return {
    requestsPerSecond: avg((r) => r.requestsPerSecond),
    latencyP50Ms: avg((r) => r.latencyP50Ms),
    latencyP99Ms: avg((r) => r.latencyP99Ms),
  };
}

/**
 * Each server runs in its own child process and autocannon in this one, so on a 2-core machine
 * the server under load gets a core to itself. Rounds alternate which server goes first, so
 * slow drift (thermal, other load) hits both alike; the figures are the mean of the rounds.
 */
export async function runHttpBench(storeName: string, log: (line: string) => void): Promise<HttpComparison[]> {
  const ours = await startChildServer('target-server', [storeName]);
  const baseline = await startChildServer('baseline-server');
  try {
    const comparisons: HttpComparison[] = [];
    for (const { endpoint, goal, request } of ENDPOINTS) {
      const runs = { ours: [] as LoadResult[], baseline: [] as LoadResult[] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['baseline', 'ours'] as const) : (['ours', 'baseline'] as const);
        for (const which of order) {
          const server = which === 'ours' ? ours : baseline;
          log(`  ${endpoint} · ${which} · round ${round + 1}/${ROUNDS} (${LOAD.connections} connections, ${LOAD.durationSeconds} s)`);
          runs[which].push(await measureLoad(server.url, request(server)));
        }
      }
      const [o, b] = [mean(runs.ours), mean(runs.baseline)];
      comparisons.push({ endpoint, ours: o, baseline: b, ratio: o.requestsPerSecond / b.requestsPerSecond, goal });
    }
    return comparisons;
  } finally {
    await Promise.all([ours.stop(), baseline.stop()]);
  }
}
