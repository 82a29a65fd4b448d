import { fileURLToPath } from 'node:url';
import { forkTsx } from './fork-tsx.js';
import { benchStore } from './stores.js';

/** Listing latency (µs) of a filtered first page at one store size, and heap per session. */
export interface ScaleMeasurement {
  count: number;
  p50Us: number;
  p99Us: number;
  bytesPerSession?: number;
}

/** One store across its sizes; `p50Ratio` is the largest size's p50 over the smallest's. */
export interface ScaleResult {
  store: string;
  measurements: ScaleMeasurement[];
  p50Ratio: number;
  p99Ratio: number;
}

const WORKER = fileURLToPath(new URL('./scale/worker.ts', import.meta.url));

async function measureInChild(storeName: string, count: number): Promise<ScaleMeasurement> {
  const { firstMessage, exited } = await forkTsx<ScaleMeasurement>(WORKER, [storeName, String(count)], ['--expose-gc', '--max-old-space-size=8192']);
  await exited;
  return firstMessage;
}

export async function runScaleBench(storeName: string, log: (line: string) => void): Promise<ScaleResult> {
  const measurements: ScaleMeasurement[] = [];
  for (const count of benchStore(storeName).sizes) {
    log(`  ${storeName} · ${count.toLocaleString('en')} sessions`);
    measurements.push(await measureInChild(storeName, count));
  }
  const [smallest, largest] = [measurements[0], measurements[measurements.length - 1]];
  return { store: storeName, measurements, p50Ratio: largest.p50Us / smallest.p50Us, p99Ratio: largest.p99Us / smallest.p99Us };
}
