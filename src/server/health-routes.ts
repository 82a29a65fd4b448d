import Router from '@koa/router';
import type { AgentSessionManager } from '../domain/index.js';

/** `/healthz`: the process answers. `/readyz`: the store answers too (503 problem when not). */
export function createHealthRouter(manager: AgentSessionManager): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    await manager.checkStore();
    ctx.body = { status: 'ready' };
  });
  return router;
}
