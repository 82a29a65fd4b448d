import type { Context } from 'koa';
import { Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import { SESSION_STATUSES, type AgentSessionManager } from '../../domain/index.js';
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

type RequestLabels = 'method' | 'route' | 'status';

/** A Prometheus registry for one app, a recorder of finished requests, and the scrape handler. */
export function createMetrics(manager: AgentSessionManager) {
  // One registry per app, so several apps (or tests) in one process never collide.
  const registry = new Registry();
  // The histogram's `_count` series is the request count by method, route and status.
  const duration = new Histogram<RequestLabels>({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency; its _count is the number of requests',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
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

  // prom-client hashes the label object on every observation; a child per label set, looked up
  // by one string, skips that. Routes are templates (unknown paths are 'unmatched'), so the
  // number of children stays small.
  const children = new Map<string, ReturnType<typeof duration.labels>>();
  function record({ method, route, status, seconds }: FinishedRequest): void {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      const labels: LabelValues<RequestLabels> = { method, route, status: String(status) };
      children.set(key, (child = duration.labels(labels)));
    }
    child.observe(seconds);
  }

  async function scrape(ctx: Context): Promise<void> {
    const merged = Registry.merge([processMetrics(), registry]);
    ctx.type = merged.contentType;
    ctx.body = await merged.metrics();
  }

  return { registry, record, scrape };
}
