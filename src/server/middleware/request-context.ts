import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';

// An incoming id is kept only if it is short and plain, so logs cannot be forged or flooded.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The route template a request matched (for logs and metrics), or a fixed label. */
export function routeOf(ctx: Context): string {
  return (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
}

/**
 * Gives every request an id (honouring a plain incoming `X-Request-Id`), echoes it, and logs
 * one line when the response is done: no bodies, no headers, so no secrets.
 */
export function requestContext(logger: Logger | undefined) {
  return async function requestId(ctx: Context, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = id;
    ctx.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      logger?.info({
        reqId: id,
        method: ctx.method,
        path: ctx.path,
        route: routeOf(ctx),
        status: ctx.status,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    }
  };
}
