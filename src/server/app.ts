import Koa from 'koa';
import { createDocsRouter } from './docs-routes.js';
import { problemResponses } from './error-middleware.js';
import { RouteNotFoundError } from './http-errors.js';
import { createAgentSessionRouter, type AgentSessionRouterOptions } from './router.js';

/** Options for `createServer`: the router's, and `docs` (default true) for `/openapi.json` and `/docs`. */
export type CreateServerOptions = AgentSessionRouterOptions & { docs?: boolean };

/**
 * A Koa application that serves the agent-session API and answers everything else with a 404
 * problem. Call `.listen()` yourself, or use `startServer` for graceful shutdown.
 */
export function createServer(options: CreateServerOptions): Koa {
  const app = new Koa();
  const router = createAgentSessionRouter(options);
  app.use(problemResponses(options.onUnexpectedError ?? ((error) => console.error(error))));
  app.use(router.routes());
  if (options.docs !== false) app.use(createDocsRouter().routes());
  app.use((ctx) => {
    throw new RouteNotFoundError(ctx.path);
  });
  return app;
}
