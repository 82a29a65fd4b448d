import type { Context } from 'koa';
import type { Principal } from '../../domain/index.js';
import type { ApiKeyRing } from '../auth/api-keys.js';

function presentedKey(ctx: Context): string | undefined {
  const authorization = ctx.get('Authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return bearer?.[1] ?? (ctx.get('X-API-Key') || undefined);
}

/**
 * An `authorize` function for API keys: the principal of the key in `Authorization: Bearer` or
 * `X-API-Key`, or `undefined` (401) when there is none or it is not one of `ring`.
 */
export function authorizeByApiKey(ring: Pick<ApiKeyRing, 'principalFor'>) {
  return function principalOfApiKey(ctx: Context): Principal | undefined {
    const key = presentedKey(ctx);
    return key === undefined ? undefined : ring.principalFor(key);
  };
}
