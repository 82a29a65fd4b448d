import cors from '@koa/cors';
import Koa from 'koa';
import compose from 'koa-compose';
import type { Logger } from 'pino';
import { allowOnly } from './allow-only.js';
import { CONSOLE_PATH, createConsoleRouter } from './console-routes.js';
import { createDocsRouter } from './docs-routes.js';
import { healthChecks } from './health-routes.js';
import { RouteNotFoundError } from './http-errors.js';
import { anyKeySource, ApiKeyRing, plainApiKeys, type ApiKeySource } from './auth/api-keys.js';
import { auditToLogger } from './auth/audit-log.js';
import { authorizeRequests } from './auth/authorize-requests.js';
import { authorizeByApiKey } from './middleware/api-key-auth.js';
import { createMetrics } from './middleware/metrics.js';
import { requestContext } from './middleware/request-context.js';
import { createAgentSessionRouter, type AgentSessionRouterOptions } from './router.js';

/** Options for `createServer`: the router's, plus what a whole service needs. */
export interface CreateServerOptions extends AgentSessionRouterOptions {
  /** A pino logger for one line per request and for 500s; none by default. */
  logger?: Logger;
  /** When given, every route but /healthz and /readyz needs one of these keys (full access each). */
  apiKeys?: readonly string[];
  /**
   * Scoped keys (an `API_KEYS_FILE`), accepted besides `apiKeys`; `replace` its entries to
   * reload keys without a restart. `apiKeys` and this are ignored when `authorize` is given.
   */
  apiKeyRing?: ApiKeyRing;
  /** Origins allowed by CORS; none (CORS off) by default. `*` allows any. */
  corsOrigins?: readonly string[];
  /** Serve Prometheus metrics at /metrics (default true). */
  metrics?: boolean;
  /** Serve the OpenAPI document at /openapi.json and a browsable page at /docs (default true). */
  docs?: boolean;
  /**
   * Serve the operator console at /console (default true); it logs in with one of `apiKeys` or
   * the `apiKeyRing` (then acting as that key), or relies on the host's `authorize`.
   */
  console?: boolean;
}

// Socket errors that only mean the client went away; nothing to fix on our side.
const CLIENT_LEFT = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

const CORS_HEADERS = {
  allowMethods: 'GET,HEAD,POST,PATCH,DELETE,OPTIONS',
  allowHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'If-Match', 'X-Request-Id', 'Last-Event-ID', 'Idempotency-Key'],
  exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'Idempotent-Replayed'],
};

/**
 * A Koa application: the agent-session API plus its OpenAPI document and docs page, health
 * checks, metrics, request logs, an audit line per write, API-key auth (scoped keys, or the
 * host's `authorize`), CORS and security headers; everything else is a 404 problem. Call `.listen()`
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
  const onAudit = options.onAudit ?? (logger && auditToLogger(logger));
  const keys = keySourceOf(apiKeys, options.apiKeyRing);
  const authorize = options.authorize ?? (keys && authorizeByApiKey(keys));

  app.use(requestContext({ logger, onFinished: metrics?.record, onUnexpectedError }));
  if (corsOrigins.length > 0) {
    const allowed = new Set(corsOrigins);
    app.use(cors({ ...CORS_HEADERS, origin: (ctx) => (allowed.has('*') || allowed.has(ctx.get('Origin')) ? ctx.get('Origin') : '') }));
  }
  const authorization = authorize
    ? [authorizeRequests({ manager, authorize, onAudit, unauthorizedMessage: options.authorize ? 'Authentication is required.' : undefined })]
    : [];
  const notFound: Koa.Middleware = (ctx) => {
    throw new RouteNotFoundError(ctx.path);
  };
  const apiRouter = createAgentSessionRouter({ ...options, authorize: undefined, onAudit, answerErrors: false });
  // API requests take the short way: none of the other endpoints' checks run for them.
  const api = compose([...authorization, apiRouter.routes() as Koa.Middleware, notFound]);
  const others = compose([
    healthChecks(manager),
    // Before the auth check: the page and its login hold no data; the API behind it stays guarded,
    // and a request with the login cookie gets that key's principal there like any key would.
    ...(options.console === false ? [] : [consoleRoutes(options.authorize ? undefined : keys)]),
    ...authorization,
    ...(metrics ? [metricsRoute(metrics)] : []),
    ...(options.docs === false ? [] : [createDocsRouter().routes() as Koa.Middleware]),
    notFound,
  ]);
  app.use((ctx, next) => (ctx.path.startsWith(API_PREFIX) ? api(ctx, next) : others(ctx, next)));
  return app;
}

// Every API path starts so; a request for one never passes the other endpoints' middleware.
const API_PREFIX = '/api/';

function consoleRoutes(keys: ApiKeySource | undefined): Koa.Middleware {
  const routes = createConsoleRouter({ keys }).routes() as Koa.Middleware;
  return (ctx, next) => (ctx.path.startsWith(CONSOLE_PATH) ? routes(ctx, next) : next());
}

function metricsRoute(metrics: NonNullable<ReturnType<typeof createMetrics>>): Koa.Middleware {
  const refuseOtherMethods = allowOnly(['GET', 'HEAD', 'OPTIONS']);
  return async (ctx, next) => {
    if (ctx.path !== '/metrics') return next();
    ctx.state.route = ctx.path;
    if (ctx.method === 'GET' || ctx.method === 'HEAD') await metrics.scrape(ctx);
    else refuseOtherMethods(ctx);
  };
}

// Plain keys and a key ring together; both are always checked, so every key costs the same.
function keySourceOf(apiKeys: readonly string[], ring: ApiKeyRing | undefined): ApiKeySource | undefined {
  const plain = apiKeys.length > 0 ? new ApiKeyRing(plainApiKeys(apiKeys)) : undefined;
  if (plain && ring) return anyKeySource([plain, ring]);
  return plain ?? ring;
}
