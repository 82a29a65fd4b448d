import Router from '@koa/router';
import type { Context } from 'koa';
import type { AgentSession, AgentSessionManager } from '../domain/index.js';
import { problemResponses, type UnexpectedErrorHandler } from './error-middleware.js';
import { etagOf, writeOptionsFromIfMatch } from './etag.js';
import { allowOnly } from './allow-only.js';
import { authorizeRequests, viewOf, type Authorize, type HttpAuditSink } from './auth/authorize-requests.js';
import { addSessionEventRoutes, DEFAULT_HEARTBEAT_MS } from './event-routes.js';
import { DEFAULT_EVENT_STREAM_LIMITS, OpenEventStreams } from './event-stream-output.js';
import { idempotencyKeyOf } from './idempotency-header.js';
import { addLifecycleRoutes } from './lifecycle-routes.js';
import { readJsonBody } from './json-body.js';
import { CreateSessionBody, ListSessionsQuery, UpdateSessionBody } from './schemas.js';
import { compileValidator } from './validate.js';
import { inWireTerms, toCreateInput, toListQuery, toSessionResource, toUpdateInput, withoutUndefined } from './wire.js';

/** Options for `createAgentSessionRouter`. */
export interface AgentSessionRouterOptions {
  manager: AgentSessionManager;
  /** Largest accepted request body in bytes (default 256 KiB). */
  bodyLimitBytes?: number;
  /** Gets every error that became a 500 (default: `console.error`). */
  onUnexpectedError?: UnexpectedErrorHandler;
  /**
   * Answer errors as problem JSON inside the router (default true), so it works in any Koa app.
   * `createServer` turns it off: its app answers every error in one place already.
   */
  answerErrors?: boolean;
  /** Interval of the comment lines that keep event streams alive through proxies (default 15 s). */
  eventHeartbeatMs?: number;
  /** Aborting it ends every open event stream (`startServer` does so on `close`). */
  shutdownSignal?: AbortSignal;
  /**
   * Who is calling, from the request (the host's JWT, session login, ...): a principal with
   * scopes and db connections, or `undefined` to refuse with 401. Every route then applies the
   * principal's scopes and db connections. Without it the router serves everyone in full.
   */
  authorize?: Authorize;
  /** Told about every write (who, what, which session, outcome); `createServer` logs them. */
  onAudit?: HttpAuditSink;
  /** Most event streams open at once; past it 503 with `Retry-After` (default 1,000). */
  eventStreamMaxClients?: number;
  /** Most bytes queued for one event-stream client before it is closed as too slow (default 256 KiB). */
  eventStreamBufferBytes?: number;
}

export { DEFAULT_EVENT_STREAM_LIMITS };

export const DEFAULT_BODY_LIMIT_BYTES = 256 * 1024;
export const COLLECTION_PATH = '/api/v1/agent-sessions';
const ITEM_PATH = `${COLLECTION_PATH}/:id`;

const validateCreate = compileValidator(CreateSessionBody, 'body');
const validateUpdate = compileValidator(UpdateSessionBody, 'body');
const validateListQuery = compileValidator(ListSessionsQuery, 'query');

/** Query-string numbers arrive as text; only plain decimal integers become numbers. */
function parseQuery(query: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const parsed: Record<string, unknown> = { ...query };
  for (const name of ['limit', 'offset']) {
    const value = parsed[name];
    if (typeof value === 'string' && /^-?[0-9]{1,16}$/.test(value)) parsed[name] = Number(value);
  }
  return parsed;
}

const sessionId = (ctx: Context): string => ctx.params.id as string;
const ifMatch = (ctx: Context) => writeOptionsFromIfMatch(ctx.get('If-Match') || undefined);

function sendSession(ctx: Context, session: AgentSession): void {
  ctx.set('ETag', etagOf(session.version));
  ctx.body = toSessionResource(session);
}

function sendStatus(ctx: Context, session: AgentSession): void {
  ctx.set('ETag', etagOf(session.version));
  ctx.body = { status: session.status };
}

/**
 * The seven documented endpoints, plus the two event streams, as a @koa/router router. It answers its own errors with problem
 * JSON, so a host can mount it in any Koa app: `app.use(router.routes())`.
 */
export function createAgentSessionRouter(options: AgentSessionRouterOptions): Router {
  const { manager, bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES } = options;
  const problems =
    options.answerErrors === false ? [] : [problemResponses(options.onUnexpectedError ?? ((error) => console.error(error)))];
  const router = new Router();
  const view = (ctx: Context) => viewOf(ctx, manager, options.onAudit);
  if (options.authorize) {
    // Runs only for requests one of the routes below matches; other paths stay the host's.
    router.use(
      ...problems,
      authorizeRequests({ manager, authorize: options.authorize, onAudit: options.onAudit, unauthorizedMessage: 'Authentication is required.' }),
    );
  }

  // Before the `/:id` routes, so `events` is never taken for a session id.
  addSessionEventRoutes(router, {
    view,
    problems,
    collectionPath: COLLECTION_PATH,
    itemPath: ITEM_PATH,
    heartbeatMs: options.eventHeartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    streams: new OpenEventStreams(
      { maxClients: options.eventStreamMaxClients, bufferBytes: options.eventStreamBufferBytes },
      options.shutdownSignal,
    ),
  });
  addLifecycleRoutes(router, { view, problems, bodyLimitBytes, collectionPath: COLLECTION_PATH, itemPath: ITEM_PATH });

  router.post(COLLECTION_PATH, ...problems, async (ctx) => {
    const idempotencyKey = idempotencyKeyOf(ctx);
    const body = validateCreate(await readJsonBody(ctx, bodyLimitBytes));
    const { session, replayed } = await inWireTerms(view(ctx).createWithOutcome(toCreateInput(body), withoutUndefined({ idempotencyKey })));
    // A replay answers exactly as the first create did: same id, Location and ETag (version 1).
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.status = 201;
    ctx.set('Location', `${ctx.originalUrl.split('?')[0].replace(/\/$/, '')}/${session.id}`);
    ctx.set('ETag', etagOf(session.version));
    ctx.body = { session_id: session.id };
  });

  router.get(COLLECTION_PATH, ...problems, async (ctx) => {
    const query = validateListQuery(parseQuery(ctx.query));
    const page = await inWireTerms(view(ctx).list(toListQuery(query)));
    ctx.body = { ...page, sessions: page.sessions.map(toSessionResource) };
  });

  router.get(ITEM_PATH, ...problems, async (ctx) => {
    sendSession(ctx, await view(ctx).get(sessionId(ctx)));
  });

  router.patch(ITEM_PATH, ...problems, async (ctx) => {
    const options = ifMatch(ctx);
    const body = validateUpdate(await readJsonBody(ctx, bodyLimitBytes));
    sendSession(ctx, await inWireTerms(view(ctx).update(sessionId(ctx), toUpdateInput(body), options)));
  });

  router.delete(ITEM_PATH, ...problems, async (ctx) => {
    await view(ctx).delete(sessionId(ctx), ifMatch(ctx));
    ctx.body = { status: 'deleted' };
  });

  router.post(`${ITEM_PATH}/pause`, ...problems, async (ctx) => {
    sendStatus(ctx, await view(ctx).pause(sessionId(ctx), ifMatch(ctx)));
  });

  router.post(`${ITEM_PATH}/resume`, ...problems, async (ctx) => {
    sendStatus(ctx, await view(ctx).resume(sessionId(ctx), ifMatch(ctx)));
  });

  // Known paths with a method they do not serve: 405 with Allow (OPTIONS answers with Allow).
  router.all(COLLECTION_PATH, ...problems, allowOnly(['GET', 'HEAD', 'POST', 'OPTIONS']));
  router.all(ITEM_PATH, ...problems, allowOnly(['GET', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS']));
  router.all(`${ITEM_PATH}/pause`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${ITEM_PATH}/resume`, ...problems, allowOnly(['POST', 'OPTIONS']));

  return router;
}
