import Koa from 'koa';
import { problemResponses } from './error-middleware.js';
import { RouteNotFoundError } from './http-errors.js';
import { createAgentSessionRouter, type AgentSessionRouterOptions } from './router.js';

/** Options for `createServer`; the same as the router's. */
export type CreateServerOptions = AgentSessionRouterOptions;

/**
 * A Koa application that serves the agent-session API and answers everything else with a 404
 * problem. Call `.listen()` yourself, or use `startServer` for graceful shutdown.
 */
export function createServer(options: CreateServerOptions): Koa {
  const app = new Koa();
  const router = createAgentSessionRouter(options);
  app.use(problemResponses(options.onUnexpectedError ?? ((error) => console.error(error))));
  app.use(router.routes());
  app.use((ctx) => {
    throw new RouteNotFoundError(ctx.path);
  });
  return app;
}
