import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ScopedSessionManager } from '../domain/index.js';
import { allowOnly } from './allow-only.js';
import { etagOf } from './etag.js';
import { readJsonBody } from './json-body.js';
import { CopySessionBody, PauseAllBody, ResumeAllBody } from './schemas.js';
import { compileValidator } from './validate.js';
import { withoutUndefined } from './wire.js';

const validateCopy = compileValidator(CopySessionBody, 'body');
const validatePauseAll = compileValidator(PauseAllBody, 'body');
const validateResumeAll = compileValidator(ResumeAllBody, 'body');

interface LifecycleRouteOptions {
  /** The caller's view of the manager: its scopes and db connections apply, its writes are audited. */
  view: (ctx: Context) => ScopedSessionManager;
  problems: Middleware[];
  bodyLimitBytes: number;
  collectionPath: string;
  itemPath: string;
}

/** A body that may be left out entirely (no Content-Length, no chunks): `{}` then. */
async function readOptionalJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const empty = !ctx.request.length && !ctx.get('Transfer-Encoding');
  return empty ? {} : readJsonBody(ctx, limitBytes);
}

/**
 * The emergency stop (`POST {collection}/pause` and `/resume`: every matching session of one db
 * connection) and `POST {item}/copy`. Registered before the `/:id` routes, so `pause` and
 * `resume` are never taken for a session id.
 */
export function addLifecycleRoutes(router: Router, options: LifecycleRouteOptions): void {
  const { view, problems, bodyLimitBytes, collectionPath, itemPath } = options;

  router.post(`${collectionPath}/pause`, ...problems, async (ctx) => {
    const body = validatePauseAll(await readJsonBody(ctx, bodyLimitBytes));
    ctx.body = { paused: await view(ctx).pauseAll(withoutUndefined({ dbConnectionId: body.db_connection_id, status: body.status })) };
  });

  router.post(`${collectionPath}/resume`, ...problems, async (ctx) => {
    const body = validateResumeAll(await readJsonBody(ctx, bodyLimitBytes));
    ctx.body = { resumed: await view(ctx).resumeAll(withoutUndefined({ dbConnectionId: body.db_connection_id, status: body.status })) };
  });

  router.post(`${itemPath}/copy`, ...problems, async (ctx) => {
    const body = validateCopy(await readOptionalJsonBody(ctx, bodyLimitBytes));
    const copy = await view(ctx).copy(ctx.params.id as string, withoutUndefined({ title: body.title, metadata: body.metadata }));
    ctx.status = 201;
    // From the URL as requested, so a router mounted under a prefix answers a working Location.
    ctx.set('Location', `${ctx.originalUrl.split('?')[0].replace(/\/[^/]*\/copy\/?$/, '')}/${copy.id}`);
    ctx.set('ETag', etagOf(copy.version));
    ctx.body = { session_id: copy.id };
  });

  router.all(`${collectionPath}/pause`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${collectionPath}/resume`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${itemPath}/copy`, ...problems, allowOnly(['POST', 'OPTIONS']));
}
