import type { Context, Next } from 'koa';
import type { AgentSessionManager } from '../domain/index.js';
import { allowOnly } from './allow-only.js';

const READ_ONLY = ['GET', 'HEAD', 'OPTIONS'];
const refuseOtherMethods = allowOnly(READ_ONLY);

/**
 * `/healthz`: the process answers. `/readyz`: the store answers too (503 problem when not).
 * Other methods: 405 with `Allow` (OPTIONS: 204 with `Allow`).
 * A path check, not a router: it runs in front of every request, so it must cost next to nothing.
 */
export function healthChecks(manager: AgentSessionManager) {
  async function answer(ctx: Context): Promise<void> {
    ctx.state.route = ctx.path;
    if (ctx.path === '/readyz') await manager.checkStore();
    ctx.body = { status: ctx.path === '/readyz' ? 'ready' : 'ok' };
  }
  // Not async itself, so every other request passes through without a promise of its own.
  return function health(ctx: Context, next: Next): Promise<void> {
    const path = ctx.path;
    if (path !== '/healthz' && path !== '/readyz') return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.state.route = path;
      refuseOtherMethods(ctx);
      return Promise.resolve();
    }
    return answer(ctx);
  };
}
