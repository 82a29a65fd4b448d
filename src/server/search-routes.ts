import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { ScopedSessionManager } from '../domain/index.js';
import { allowOnly } from './allow-only.js';
import { readJsonBody, readOptionalJsonBody } from './json-body.js';
import { CountSessionsBody, PruneSessionsBody, SearchSessionsBody } from './schemas.js';
import { compileValidator } from './validate.js';
import { toPruneInput, toSearchFilter, toSearchPageResource, toSearchQuery } from './wire.js';

const validateSearch = compileValidator(SearchSessionsBody, 'body');
const validateCount = compileValidator(CountSessionsBody, 'body');
const validatePrune = compileValidator(PruneSessionsBody, 'body');

interface SearchRouteOptions {
  /** The caller's view of the manager: its scopes and db connections apply, its writes are audited. */
  view: (ctx: Context) => ScopedSessionManager;
  problems: Middleware[];
  collectionPath: string;
  bodyLimitBytes: number;
}

/**
 * POST {collection}/search (a page of a filtered, sorted search with a keyset cursor),
 * POST {collection}/count and POST {collection}/prune (a batched bulk delete of a filter). Every field of search and count is
 * optional, so a request without a body is the empty filter. Registered before the `/:id` routes, so neither is taken for an id.
 */
export function addSearchRoutes(router: Router, options: SearchRouteOptions): void {
  const { view, problems, collectionPath, bodyLimitBytes } = options;

  router.post(`${collectionPath}/search`, ...problems, async (ctx) => {
    const body = validateSearch(await readOptionalJsonBody(ctx, bodyLimitBytes));
    ctx.body = toSearchPageResource(await view(ctx).search(toSearchQuery(body)));
  });

  router.post(`${collectionPath}/count`, ...problems, async (ctx) => {
    const body = validateCount(await readOptionalJsonBody(ctx, bodyLimitBytes));
    ctx.body = { count: await view(ctx).count(toSearchFilter(body)) };
  });

  // A body is required: an empty prune would delete every session.
  router.post(`${collectionPath}/prune`, ...problems, async (ctx) => {
    const body = validatePrune(await readJsonBody(ctx, bodyLimitBytes));
    ctx.body = await view(ctx).prune(toPruneInput(body));
  });

  router.all(`${collectionPath}/search`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${collectionPath}/count`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${collectionPath}/prune`, ...problems, allowOnly(['POST', 'OPTIONS']));
}
