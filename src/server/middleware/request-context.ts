import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { answerWithProblem, type UnexpectedErrorHandler } from '../error-middleware.js';
import { infoLineWriter } from '../logger.js';
import { setSecurityHeaders } from './security-headers.js';

// An incoming id is kept only if it is short and plain, so logs cannot be forged or flooded.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Request ids only need to be unique, not secret: a random per-process prefix plus a counter is
// unique across instances and far cheaper than a UUID per request.
const PROCESS_PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

/**
 * The route template a request matched (for logs and metrics): the router's, or one a
 * path-checked endpoint set in `ctx.state.route`, or a fixed label for unknown paths.
 */
export function routeOf(ctx: Context): string {
  return (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? (ctx.state.route as string | undefined) ?? 'unmatched';
}

/** What a finished request looks like to observers (logs, metrics). */
export interface FinishedRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

/** What `requestContext` does around every request. */
export interface RequestContextOptions {
  /** One line per finished request; none when absent. */
  logger?: Logger;
  /** Told about every finished request (metrics). */
  onFinished?: (request: FinishedRequest) => void;
  /** Gets every error that became a 500. */
  onUnexpectedError: UnexpectedErrorHandler;
}

/**
 * What every response of the service gets, in one middleware (each Koa layer costs every request
 * a dispatch and a promise, and these four jobs always run together): a request id (a plain
 * incoming `X-Request-Id` is honoured) echoed in the response, the security headers, a problem
 * response for anything thrown further down, and, when the response is done, one log line (no
 * bodies, no headers, so no secrets) and a call to `onFinished`.
 */
export function requestContext({ logger, onFinished, onUnexpectedError }: RequestContextOptions) {
  const logLine = logger && infoLineWriter(logger);
  return async function observeRequest(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : `${PROCESS_PREFIX}-${(++counter).toString(36)}`;
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    setSecurityHeaders(ctx.res);
    const started = performance.now();
    try {
      await next();
    } catch (error) {
      answerWithProblem(ctx, error, onUnexpectedError);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(ctx);
      onFinished?.({ method: ctx.method, route, status: ctx.status, seconds });
      logLine?.({ reqId: id, method: ctx.method, path: ctx.path, route, status: ctx.status, ms: seconds * 1000 });
    }
  };
}
