import cors from '@koa/cors';
import Koa from 'koa';
import type { Logger } from 'pino';
import { allowOnly } from './allow-only.js';
import { createDocsRouter } from './docs-routes.js';
import { healthChecks } from './health-routes.js';
import { RouteNotFoundError } from './http-errors.js';
import { apiKeyAuth } from './middleware/api-key-auth.js';
import { createMetrics } from './middleware/metrics.js';
import { requestContext } from './middleware/request-context.js';
import { createAgentSessionRouter, type AgentSessionRouterOptions } from './router.js';

/** Options for `createServer`: the router's, plus what a whole service needs. */
export interface CreateServerOptions extends AgentSessionRouterOptions {
  /** A pino logger for one line per request and for 500s; none by default. */
  logger?: Logger;
  /** When given, every route but /healthz and /readyz needs one of these keys. */
  apiKeys?: readonly string[];
  /** Origins allowed by CORS; none (CORS off) by default. `*` allows any. */
  corsOrigins?: readonly string[];
  /** Serve Prometheus metrics at /metrics (default true). */
  metrics?: boolean;
  /** Serve the OpenAPI document at /openapi.json and a browsable page at /docs (default true). */
  docs?: boolean;
}

// Socket errors that only mean the client went away; nothing to fix on our side.
const CLIENT_LEFT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

const CORS_HEADERS = {
  allowMethods: 'GET,HEAD,POST,PATCH,DELETE,OPTIONS',
  allowHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'If-Match', 'X-Request-Id'],
  exposeHeaders: ['ETag', 'Location', 'X-Request-Id'],
};

/**
 * A Koa application: the agent-session API plus its OpenAPI document and docs page, health
 * checks, metrics, request logs, API-key auth, CORS and security headers; everything else is a 404 problem. Call `.listen()`
 * yourself, or use `startServer` for graceful shutdown.
 */
export function createServer(options: CreateServerOptions): Koa {
  const { manager, logger, apiKeys = [], corsOrigins = [], metrics: withMetrics = true } = options;
  const onUnexpectedError =
    options.onUnexpectedError ??
    (logger ? (error: unknown) => logger.error({ err: error }, 'unexpected error') : (error: unknown) => console.error(error));
  const app = new Koa();
  // Every request error becomes a problem response above; what Koa still reports is a socket
  // failing after the response began, such as an event-stream client that left mid-write.
  app.on('error', (error: NodeJS.ErrnoException, ctx: Koa.Context) => {
    if (error.code && CLIENT_LEFT.has(error.code)) logger?.debug({ err: error, reqId: ctx?.state.requestId }, 'client left mid-response');
    else onUnexpectedError(error, ctx);
  });
  const metrics = withMetrics ? createMetrics(manager) : undefined;

  app.use(requestContext({ logger, onFinished: metrics?.record, onUnexpectedError }));
  if (corsOrigins.length > 0) {
    const allowed = new Set(corsOrigins);
    app.use(cors({ ...CORS_HEADERS, origin: (ctx) => (allowed.has('*') || allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : '') }));
  }
  app.use(healthChecks(manager));
  if (apiKeys.length > 0) app.use(apiKeyAuth(apiKeys));
  app.use(createAgentSessionRouter({ ...options, answerErrors: false }).routes());
  // After the API router, so API requests never pay for this check.
  if (metrics) {
    const refuseOtherMethods = allowOnly(['GET', 'HEAD', 'OPTIONS']);
    app.use(async (ctx, next) => {
      if (ctx.path !== '/metrics') return next();
      ctx.state.route = ctx.path;
      if (ctx.method === 'GET' || ctx.method === 'HEAD') await metrics.scrape(ctx);
      else refuseOtherMethods(ctx);
    });
  }
  if (options.docs !== false) app.use(createDocsRouter().routes());
  app.use((ctx) => {
    throw new RouteNotFoundError(ctx.path);
  });
  return app;
}
