import { AgentSessionManager } from '../../src/index.js';
import { benchStore } from '../stores.js';
import { fillStore, filterFor } from './fill.js';

// Child process (run with --expose-gc): fills one store with argv[3] sessions, then measures
// the heap they take and the latency of a filtered first page. One process per size keeps
// heaps and JIT state from leaking between measurements.

const WARMUP_QUERIES = 1_000;
const MEASURED_QUERIES = 10_000;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const bench = benchStore(process.argv[2] ?? 'memory');
const count = Number(process.argv[3]);
const heapBefore = heapAfterGc();
const store = await bench.create();
await (bench.fill ?? fillStore)(store, count);
const bytesPerSession = bench.inProcess ? (heapAfterGc() - heapBefore) / count : await bench.bytesPerSession?.(count);

const manager = new AgentSessionManager(store);
const latenciesUs: number[] = [];
for (let n = 0; n < WARMUP_QUERIES + MEASURED_QUERIES; n++) {
  const started = process.hrtime.bigint();
  const page = await manager.list({ ...filterFor(n), limit: 100 });
  const elapsedUs = Number(process.hrtime.bigint() - started) / 1_000;
  if (page.sessions.length !== 100) throw new Error(`expected a full page, got ${page.sessions.length}`);
  if (n >= WARMUP_QUERIES) latenciesUs.push(elapsedUs);
}
latenciesUs.sort((a, b) => a - b);
await store.close?.();
process.send?.({ count, p50Us: percentile(latenciesUs, 50), p99Us: percentile(latenciesUs, 99), bytesPerSession });
