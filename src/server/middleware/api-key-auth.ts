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

function matchesAny(candidate: Buffer, known: readonly Buffer[]): boolean {
  let matched = false;
  for (const digestOfKey of known) matched = timingSafeEqual(candidate, digestOfKey) || matched;
  return matched;
}

/** Whether `key` is one of `keys` (constant time); the console's login checks keys with it. */
export function keyMatcher(keys: readonly string[]): (key: string) => boolean {
  const digests = keys.map(digest);
  return (key) => matchesAny(digest(key), digests);
}

/**
 * Refuses (401) any request without one of `keys` in `Authorization: Bearer` or `X-API-Key`, or
 * the console's login cookie; writes authenticated by the cookie must also pass the CSRF check.
 */
export function apiKeyAuth(keys: readonly string[]) {
  const isKey = keyMatcher(keys);
  const cookieDigests = keys.map((key) => digest(consoleCookieValue(key)));
  return async function requireApiKey(ctx: Context, next: Next): Promise<void> {
    const key = presentedKey(ctx);
    if (key !== undefined) {
      if (!isKey(key)) throw new UnauthorizedError();
      return next();
    }
    const cookie = ctx.cookies.get(CONSOLE_COOKIE);
    if (!cookie || !matchesAny(digest(cookie), cookieDigests)) throw new UnauthorizedError();
    checkCookieWrite(ctx);
    await next();
  };
}
