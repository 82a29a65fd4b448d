import type { Context } from 'koa';
import type { Principal } from '../../domain/index.js';
import type { ApiKeySource } from '../auth/api-keys.js';
import { checkCookieWrite, CONSOLE_COOKIE } from './console-cookie.js';

function presentedKey(ctx: Context): string | undefined {
  const authorization = ctx.get('Authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1] ?? (ctx.get('X-API-Key') || undefined);
}

/**
 * An `authorize` function for API keys: the principal of the key in `Authorization: Bearer` or
 * `X-API-Key`, else of the console's login cookie (writes so authenticated must also pass the
 * CSRF check, 403), or `undefined` (401) when there is none or it is not one of `keys`.
 */
export function authorizeByApiKey(keys: Pick<ApiKeySource, 'principalFor' | 'principalForConsoleCookie'>) {
  return function principalOfApiKey(ctx: Context): Principal | undefined {
    const key = presentedKey(ctx);
    if (key !== undefined) return keys.principalFor(key);
    const cookie = ctx.cookies.get(CONSOLE_COOKIE);
    const principal = cookie ? keys.principalForConsoleCookie(cookie) : undefined;
    if (principal) checkCookieWrite(ctx);
    return principal;
  };
}
