import type { Context } from 'koa';
import { MethodNotAllowedError } from './http-errors.js';

/** The catch-all of a known path: OPTIONS answers 204 with `Allow`, any other method 405. */
export function allowOnly(methods: string[]) {
  return (ctx: Context) => {
    if (ctx.method === 'OPTIONS') {
      ctx.set('Allow', methods.join(', '));
      ctx.status = 204;
      return;
    }
    throw new MethodNotAllowedError(ctx.method, methods);
  };
}
