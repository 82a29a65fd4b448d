import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ScopedSessionManager, SessionEventFilter, Unsubscribe } from '../domain/index.js';
import { allowOnly } from './allow-only.js';
import { EventStreamOutput, type OpenEventStreams } from './event-stream-output.js';
import { SessionEventsQuery } from './schemas.js';
import { compileValidator } from './validate.js';

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
  /** The open streams of this router: their cap, buffer bound and shutdown. */
  streams: OpenEventStreams;
}

/**
 * GET {collection}/events?db_connection_id=… and GET {item}/events as Server-Sent Events: one
 * `id:` + `data:` (JSON) message per change event, `Last-Event-ID` to resume, heartbeat comments.
 * A stream ends, releasing its subscription, when the client goes, the server shuts down, the
 * client falls too far behind (`event: overflow`), or (per session) after its `deleted` event. A
 * resume older than what the store retains gets `event: missed` first.
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
  // HEAD answers what GET would: 404 for an unknown session, without opening a stream.
  if (ctx.method === 'HEAD') return void (await whenSubscribed());

  const { streams } = options;
  let unsubscribe: Unsubscribe | undefined;
  let ended = false;
  const replay = new AbortController();
  const output = new EventStreamOutput(ctx.res, streams.bufferBytes, streams.scheduler, () => end());
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    replay.abort();
    release();
    unsubscribe?.();
    output.end();
  };
  const release = streams.admit(end);
  const heartbeat = setInterval(() => output.send(': heartbeat\n\n'), options.heartbeatMs);
  ctx.res.once('close', end);
  try {
    unsubscribe = await options.view(ctx).events.subscribe(
      (event) => {
        if (ended) return;
        output.send(streams.message(event));
        if (filter.sessionId && event.type === 'deleted') end();
      },
      {
        ...filter,
        after: ctx.get('Last-Event-ID') || undefined,
        onMissed: () => output.send(MISSED_MESSAGE),
        replaySignal: replay.signal,
      },
    );
    await whenSubscribed();
  } catch (error) {
    end();
    throw error;
  }
  // Koa would pipe a body and report a client leaving as an error; the stream is written here.
  ctx.respond = false;
  // Without chunked framing the body simply ends with the connection (`Connection: close`):
  // one buffer per message write instead of four pieces.
  ctx.res.removeHeader('Transfer-Encoding');
  output.open(`retry: ${RETRY_MS}\n: connected\n\n`);
  // Ended during the replay (the session's deletion, an overflow), or the client or the server went.
  if (ended || streams.closing || ctx.res.destroyed) return end();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
}

/** Sent when a resume asked for events older than the store retains: the client should reload. */
const MISSED_MESSAGE = `event: missed\ndata: ${JSON.stringify({
  type: 'missed',
  detail: 'Some events after Last-Event-ID are no longer retained; reload the current state, then keep following.',
})}\n\n`;
