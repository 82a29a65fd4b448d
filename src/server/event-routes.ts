import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ScopedSessionManager, SessionEvent, SessionEventFilter, Unsubscribe } from '../domain/index.js';
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
  /** The caller's view of the manager: its streams carry only the sessions it may see. */
  view: (ctx: Context) => ScopedSessionManager;
  problems: Middleware[];
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
  const { view, problems, collectionPath, itemPath } = options;

  router.get(`${collectionPath}/events`, ...problems, async (ctx) => {
    const query = validateEventsQuery({ ...ctx.query });
    await streamEvents(ctx, options, { dbConnectionId: query.db_connection_id });
  });

  router.get(`${itemPath}/events`, ...problems, async (ctx) => {
    const sessionId = ctx.params.id as string;
    // Checked once subscribed, so a delete in between still ends the stream (404 if it came first).
    await streamEvents(ctx, options, { sessionId }, () => view(ctx).get(sessionId));
  });

  router.all(`${collectionPath}/events`, ...problems, allowOnly(['GET', 'HEAD', 'OPTIONS']));
  router.all(`${itemPath}/events`, ...problems, allowOnly(['GET', 'HEAD', 'OPTIONS']));
}

async function streamEvents(
  ctx: Context,
  options: EventRouteOptions,
  filter: SessionEventFilter,
  whenSubscribed: () => Promise<unknown> = async () => {},
): Promise<void> {
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('Cache-Control', 'no-cache, no-transform');
  ctx.set('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  // The stream is never reused for another request; closing it with the stream lets shutdown finish.
  ctx.set('Connection', 'close');
  if (ctx.method === 'HEAD') return;

  const { res } = ctx;
  let unsubscribe: Unsubscribe | undefined;
  let ended = false;
  let headersWritten = false;
  // Events replayed (Last-Event-ID) before the headers are written wait here.
  const early: string[] = [];
  const write = (text: string) => (headersWritten ? res.write(text) : early.push(text));
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    options.shutdownSignal?.removeEventListener('abort', end);
    unsubscribe?.();
    if (headersWritten) res.end();
  };
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
  try {
    unsubscribe = await options.view(ctx).events.subscribe(
      (event) => {
        if (ended) return;
        write(formatMessage(event));
        if (filter.sessionId && event.type === 'deleted') end();
      },
      { ...filter, after: ctx.get('Last-Event-ID') || undefined },
    );
    await whenSubscribed();
  } catch (error) {
    end();
    throw error;
  }
  // Koa would pipe a body and report a client leaving as an error; the stream is written here.
  ctx.respond = false;
  res.writeHead(200);
  headersWritten = true;
  res.write(`retry: ${RETRY_MS}\n: connected\n\n${early.join('')}`);
  // Ended during the replay (the session's deletion), or the client or the server went meanwhile.
  if (ended) {
    unsubscribe();
    res.end();
    return;
  }
  res.once('close', end);
  options.shutdownSignal?.addEventListener('abort', end, { once: true });
  if (options.shutdownSignal?.aborted || res.destroyed) end();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
}

function formatMessage(event: SessionEvent): string {
  return `id: ${event.id}\ndata: ${JSON.stringify(toSessionEventResource(event))}\n\n`;
}
