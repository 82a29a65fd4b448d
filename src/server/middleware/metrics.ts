import type { Context } from 'koa';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { SESSION_STATUSES, type AgentSessionManager } from '../../domain/index.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { FinishedRequest } from './request-context.js';

// Process metrics (CPU, memory, event loop, GC) are collected once per process and merged into
// every app's scrape; collecting them per app would start a new set of monitors each time.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A recorder of finished requests and the scrape handler, for one app. */
export function createMetrics(manager: AgentSessionManager) {
  // One registry per app, so several apps (or tests) in one process never collide.
  const registry = new Registry();
  // The histogram's `_count` series is the request count by method, route and status. Routes are
  // templates (unknown paths are 'unmatched'), so the number of series stays small.
  const duration = new LatencyHistogram(
    'http_request_duration_seconds',
    'HTTP request latency; its _count is the number of requests',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  new Gauge({
    name: 'agent_sessions',
    help: 'Sessions by status (read from the store indexes at scrape time)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const counts = await Promise.all(SESSION_STATUSES.map((status) => manager.list({ status, limit: 1 })));
        SESSION_STATUSES.forEach((status, i) => this.set({ status }, counts[i].total));
      } catch {
        this.reset(); // Store unreachable: report no numbers rather than stale ones; /readyz says why.
      }
    },
  });

  function record({ method, route, status, seconds }: FinishedRequest): void {
    duration.observe(method, route, status, seconds);
  }

  async function scrape(ctx: Context): Promise<void> {
    const merged = Registry.merge([processMetrics(), registry]);
    ctx.type = merged.contentType;
    ctx.body = (await merged.metrics()) + duration.exposition();
  }

  return { record, scrape };
}
