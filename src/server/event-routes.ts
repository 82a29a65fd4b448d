import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { PassThrough } from 'node:stream';
import type { AgentSessionManager, SessionEvent, SessionEventFilter } from '../domain/index.js';
import { allowOnly } from './allow-only.js';
import { SessionEventsQuery } from './schemas.js';
import { compileValidator } from './validate.js';
import { toSessionEventResource } from './wire.js';

/** Default interval of SSE heartbeat comments. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
// How long an EventSource waits before reconnecting (it then sends Last-Event-ID).
const RETRY_MS = 2_000;

const validateEventsQuery = compileValidator(SessionEventsQuery, 'query');

interface EventRouteOptions {
  manager: AgentSessionManager;
  problems: Middleware;
  collectionPath: string;
  itemPath: string;
  heartbeatMs: number;
  shutdownSignal?: AbortSignal;
}

/**
 * GET {collection}/events?db_connection_id=… and GET {item}/events as Server-Sent Events: one
 * `id:` + `data:` (JSON) message per change event, `Last-Event-ID` to resume, heartbeat comments.
 * A stream ends, releasing its subscription, when the client goes, the server shuts down, or (per
 * session) after the session's `deleted` event.
 */
export function addSessionEventRoutes(router: Router, options: EventRouteOptions): void {
  const { manager, problems, collectionPath, itemPath } = options;

  router.get(`${collectionPath}/events`, problems, async (ctx) => {
    const query = validateEventsQuery({ ...ctx.query });
    await streamEvents(ctx, options, { dbConnectionId: query.db_connection_id });
  });

  router.get(`${itemPath}/events`, problems, async (ctx) => {
    const sessionId = ctx.params.id as string;
    await manager.get(sessionId); // 404 for an unknown session
    await streamEvents(ctx, options, { sessionId });
  });

  router.all(`${collectionPath}/events`, problems, allowOnly(['GET', 'HEAD', 'OPTIONS']));
  router.all(`${itemPath}/events`, problems, allowOnly(['GET', 'HEAD', 'OPTIONS']));
}

async function streamEvents(ctx: Context, options: EventRouteOptions, filter: SessionEventFilter): Promise<void> {
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  if (ctx.method === 'HEAD') return;

  const body = new PassThrough();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    options.shutdownSignal?.removeEventListener('abort', end);
    unsubscribe?.();
    body.end();
  };
  const heartbeat = setInterval(() => body.write(': heartbeat\n\n'), options.heartbeatMs);
  let unsubscribe: (() => void) | undefined;
  try {
    unsubscribe = await options.manager.events.subscribe(
      (event) => {
        if (ended) return;
        body.write(formatMessage(event));
        if (filter.sessionId && event.type === 'deleted') end();
      },
      { ...filter, after: ctx.get('Last-Event-ID') || undefined },
    );
  } catch (error) {
    end();
    throw error;
  }
  // The client may have gone, or shutdown begun, while the subscription was being set up.
  if (options.shutdownSignal?.aborted || ctx.req.destroyed) {
    end();
    return;
  }
  options.shutdownSignal?.addEventListener('abort', end, { once: true });
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.res.once('close', end);
  body.write(`retry: ${RETRY_MS}\n: connected\n\n`);
  ctx.body = body;
}

function formatMessage(event: SessionEvent): string {
  return `id: ${event.id}\ndata: ${JSON.stringify(toSessionEventResource(event))}\n\n`;
}
