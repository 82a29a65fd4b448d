import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SESSION_STATUSES, type AgentSessionManager } from '../../domain/index.js';
import { routeOf } from './request-context.js';

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

/** A Prometheus registry for one app, the middleware that measures requests, and the scrape handler. */
export function createMetrics(manager: AgentSessionManager) {
  // One registry per app, so several apps (or tests) in one process never collide.
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
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

  async function measure(ctx: Context, next: Next): Promise<void> {
    const stop = duration.startTimer();
    try {
      await next();
    } finally {
      // Unmatched paths share one label so random URLs cannot blow up the series count.
      const labels = { method: ctx.method, route: routeOf(ctx), status: String(ctx.status) };
      stop(labels);
      requests.inc(labels);
    }
  }

  async function scrape(ctx: Context): Promise<void> {
    const merged = Registry.merge([processMetrics(), registry]);
    ctx.type = merged.contentType;
    ctx.body = await merged.metrics();
  }

  return { registry, measure, scrape };
}
