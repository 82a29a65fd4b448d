import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../http-errors.js';

// Keys are compared as SHA-256 digests: equal length, so timingSafeEqual applies, and the time
// taken says nothing about how much of a key matched. Every key is compared, match or not.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function presentedKey(ctx: Context): string | undefined {
  const authorization = ctx.get('Authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1] ?? (ctx.get('X-API-Key') || undefined);
}

/**
 * Refuses (401) any request without one of `keys` in `Authorization: Bearer` or `X-API-Key`;
 * sets `ctx.state.callerScope` to a digest of the key that matched.
 */
export function apiKeyAuth(keys: readonly string[]) {
  const digests = keys.map(digest);
  return async function requireApiKey(ctx: Context, next: Next): Promise<void> {
    const key = presentedKey(ctx);
    if (key === undefined) throw new UnauthorizedError();
    const candidate = digest(key);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    if (!matched) throw new UnauthorizedError();
    // Whose request this is, for scoping idempotency keys: a digest, never the key itself.
    ctx.state.callerScope = candidate.toString('hex');
    await next();
  };
}
