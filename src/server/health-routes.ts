import type { Context, Next } from 'koa';
import type { AgentSessionManager } from '../domain/index.js';

/**
 * `/healthz`: the process answers. `/readyz`: the store answers too (503 problem when not).
 * A path check, not a router: it runs in front of every request, so it must cost next to nothing.
 */
export function healthChecks(manager: AgentSessionManager) {
  return async function health(ctx: Context, next: Next): Promise<void> {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path === '/healthz') {
      ctx.state.route = ctx.path;
      ctx.body = { status: 'ok' };
    } else if (ctx.path === '/readyz') {
      ctx.state.route = ctx.path;
      await manager.checkStore();
      ctx.body = { status: 'ready' };
    } else {
      await next();
    }
  };
}
