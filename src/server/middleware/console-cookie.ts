import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { ForbiddenError } from '../../domain/index.js';

// The console logs in once with an API key; the server then keeps a cookie the page's scripts
// cannot read (HttpOnly), that no other site can make the browser send (SameSite=Strict), and
// that travels only over HTTPS when the console is served over HTTPS (Secure). The cookie holds
// a digest of the key, not the key: stealing it opens this console's API, never another place
// the key is used. Any instance configured with the same keys accepts it.

/** Name of the console's login cookie. */
export const CONSOLE_COOKIE = 'agent_sessions_console';
/** How long a console login lasts, in seconds (12 hours). */
export const CONSOLE_COOKIE_MAX_AGE_S = 12 * 60 * 60;
/** Header the console sends on every write; a cross-site form cannot set it. */
export const CONSOLE_WRITE_HEADER = 'X-Requested-With';

/** The cookie value for `key`: a digest apart from the one used for header keys. */
export const consoleCookieValue = (key: string): string =>
  createHash('sha256').update(`agent-sessions console\0${key}`).digest('base64url');

// Secure when the page came over HTTPS, directly or through a TLS-terminating proxy. Trusting
// X-Forwarded-Proto here is safe whatever sends it: it can only make the cookie stricter.
const overHttps = (ctx: Context): boolean => ctx.secure || /^\s*https\s*(,|$)/i.test(ctx.get('X-Forwarded-Proto'));

/** The `Set-Cookie` value that logs the console in with `key` (or out, without one). */
export function consoleCookieHeader(ctx: Context, key: string | undefined): string {
  const value = key === undefined ? '' : consoleCookieValue(key);
  const maxAge = key === undefined ? 0 : CONSOLE_COOKIE_MAX_AGE_S;
  return `${CONSOLE_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${overHttps(ctx) ? '; Secure' : ''}`;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for requests authenticated by the cookie: besides SameSite=Strict, a write must
 * carry `X-Requested-With` (which no cross-site form sends, and which makes cross-site fetches
 * ask a CORS preflight first) and, when the browser sends `Origin`, come from this origin.
 */
export function checkCookieWrite(ctx: Context): void {
  if (SAFE_METHODS.has(ctx.method)) return;
  if (!ctx.get(CONSOLE_WRITE_HEADER)) {
    throw new ForbiddenError(`A write authenticated by the console cookie must send the ${CONSOLE_WRITE_HEADER} header.`);
  }
  const origin = ctx.get('Origin');
  // Built from protocol and host: Koa 3's ctx.origin echoes the Origin header itself.
  const own = `${ctx.protocol}://${ctx.host}`;
  if (origin && origin !== own) {
    throw new ForbiddenError(`A write authenticated by the console cookie must come from ${own}, not ${origin}.`);
  }
}
