import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { UnauthorizedError } from '../http-errors.js';
import { checkCookieWrite, CONSOLE_COOKIE, consoleCookieValue } from './console-cookie.js';

// Keys are compared as SHA-256 digests: equal length, so timingSafeEqual applies, and the time
// taken says nothing about how much of a key matched. Every key is compared, match or not.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function presentedKey(ctx: Context): string | undefined {
  const authorization = ctx.get('Authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1] ?? (ctx.get('X-API-Key') || undefined);
}

/** The index of the digest in `known` equal to `candidate`, or -1; compares with every one. */
function indexOfMatch(candidate: Buffer, known: readonly Buffer[]): number {
  let index = -1;
  known.forEach((digestOfKey, i) => {
    if (timingSafeEqual(candidate, digestOfKey)) index = i;
  });
  return index;
}

/** Whether `key` is one of `keys` (constant time); the console's login checks keys with it. */
export function keyMatcher(keys: readonly string[]): (key: string) => boolean {
  const digests = keys.map(digest);
  return (key) => indexOfMatch(digest(key), digests) >= 0;
}

/**
 * Refuses (401) any request without one of `keys` in `Authorization: Bearer` or `X-API-Key`, or
 * the console's login cookie; writes authenticated by the cookie must also pass the CSRF check.
 * Sets `ctx.state.callerScope` to a digest of the key that matched (never the key itself), which
 * scopes idempotency keys to their caller.
 */
export function apiKeyAuth(keys: readonly string[]) {
  const digests = keys.map(digest);
  const cookieDigests = keys.map((key) => digest(consoleCookieValue(key)));
  return async function requireApiKey(ctx: Context, next: Next): Promise<void> {
    const key = presentedKey(ctx);
    let matched: number;
    if (key !== undefined) {
      matched = indexOfMatch(digest(key), digests);
    } else {
      const cookie = ctx.cookies.get(CONSOLE_COOKIE);
      matched = cookie ? indexOfMatch(digest(cookie), cookieDigests) : -1;
      if (matched >= 0) checkCookieWrite(ctx);
    }
    if (matched < 0) throw new UnauthorizedError();
    ctx.state.callerScope = digests[matched].toString('hex');
    await next();
  };
}
