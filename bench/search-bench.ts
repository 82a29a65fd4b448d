import { fileURLToPath } from 'node:url';
import { forkTsx } from './fork-tsx.js';

/** Search latency (µs) at one store size: the first page and the 100th cursor page. */
export interface SearchMeasurement {
  count: number;
  total: number;
  fillMs: number;
  firstPage: { p50Us: number; p99Us: number };
  page100: { p50Us: number; p99Us: number };
}

/** One store: each page's p50 at the largest size over its p50 at the smallest (target: at most 2). */
export interface SearchResult {
  store: string;
  measurements: SearchMeasurement[];
  firstPageP50Ratio: number;
  page100P50Ratio: number;
}

/** Sizes compared; the ratio is the last over the first. */
export const SEARCH_BENCH_SIZES = [10_000, 1_000_000];

const WORKER = fileURLToPath(new URL('./search/worker.ts', import.meta.url));

export async function runSearchBench(storeName: string, log: (line: string) => void, sizes = SEARCH_BENCH_SIZES): Promise<SearchResult> {
  const measurements: SearchMeasurement[] = [];
  for (const count of sizes) {
    log(`  search · ${storeName} · ${count.toLocaleString('en')} sessions`);
    const { firstMessage, exited } = await forkTsx<SearchMeasurement>(WORKER, [storeName, String(count)], ['--max-old-space-size=8192']);
    await exited;
    measurements.push(firstMessage);
    log(`    ${JSON.stringify(firstMessage)}`);
  }
  const [smallest, largest] = [measurements[0], measurements[measurements.length - 1]];
  return {
    store: storeName,
    measurements,
    firstPageP50Ratio: largest.firstPage.p50Us / smallest.firstPage.p50Us,
    page100P50Ratio: largest.page100.p50Us / smallest.page100.p50Us,
  };
}

/** The results as Markdown table rows. */
export function searchTable(results: SearchResult[]): string {
  const rows = ['| store | sessions | matches | first page p50 / p99 µs | 100th page p50 / p99 µs |', '| --- | --- | --- | --- | --- |'];
  for (const result of results) {
    for (const m of result.measurements) {
      rows.push(
        `| ${result.store} | ${m.count.toLocaleString('en')} | ${m.total.toLocaleString('en')} | ${m.firstPage.p50Us.toFixed(0)} / ${m.firstPage.p99Us.toFixed(0)} | ${m.page100.p50Us.toFixed(0)} / ${m.page100.p99Us.toFixed(0)} |`,
      );
    }
    rows.push(`| ${result.store} | p50 ratio, largest / smallest | | ${result.firstPageP50Ratio.toFixed(2)} | ${result.page100P50Ratio.toFixed(2)} |`);
  }
  return rows.join('\n');
}
