import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AgentSessionManager } from '../domain/index.js';
import { allowOnly } from './allow-only.js';
import { readJsonBody } from './json-body.js';
import { CountSessionsBody, PruneSessionsBody, SearchSessionsBody } from './schemas.js';
import { compileValidator } from './validate.js';
import { toPruneInput, toSearchFilter, toSearchPageResource, toSearchQuery } from './wire.js';

const validateSearch = compileValidator(SearchSessionsBody, 'body');
// Every field is optional, so a request without a body is the empty filter.
const bodyOrEmpty = (ctx: Context, limit: number) =>
  !ctx.request.length && !ctx.get('Transfer-Encoding') ? Promise.resolve({}) : readJsonBody(ctx, limit);
const validateCount = compileValidator(CountSessionsBody, 'body');
const validatePrune = compileValidator(PruneSessionsBody, 'body');

interface SearchRouteOptions {
  manager: AgentSessionManager;
  problems: Middleware[];
  collectionPath: string;
  bodyLimitBytes: number;
}

/**
 * POST {collection}/search (a page of a filtered, sorted search with a keyset cursor),
 * POST {collection}/count and POST {collection}/prune (a batched bulk delete of a filter). Registered before the `/:id` routes, so neither is taken for an id.
 */
export function addSearchRoutes(router: Router, options: SearchRouteOptions): void {
  const { manager, problems, collectionPath, bodyLimitBytes } = options;

  router.post(`${collectionPath}/search`, ...problems, async (ctx) => {
    const body = validateSearch(await bodyOrEmpty(ctx, bodyLimitBytes));
    ctx.body = toSearchPageResource(await manager.search(toSearchQuery(body)));
  });

  router.post(`${collectionPath}/count`, ...problems, async (ctx) => {
    const body = validateCount(await bodyOrEmpty(ctx, bodyLimitBytes));
    ctx.body = { count: await manager.count(toSearchFilter(body)) };
  });

  // A body is required: an empty prune would delete every session.
  router.post(`${collectionPath}/prune`, ...problems, async (ctx) => {
    const body = validatePrune(await readJsonBody(ctx, bodyLimitBytes));
    ctx.body = await manager.prune(toPruneInput(body));
  });

  router.all(`${collectionPath}/search`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${collectionPath}/count`, ...problems, allowOnly(['POST', 'OPTIONS']));
  router.all(`${collectionPath}/prune`, ...problems, allowOnly(['POST', 'OPTIONS']));
}
