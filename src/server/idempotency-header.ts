import type { Context } from 'koa';
import { checkIdempotencyKey, ValidationError } from '../domain/index.js';
import { BadHeaderError } from './http-errors.js';

/** The `Idempotency-Key` request header, checked; `undefined` when the request has none. */
export function idempotencyKeyOf(ctx: Context): string | undefined {
  const header = ctx.headers['idempotency-key'];
  if (header === undefined) return undefined;
  try {
    return checkIdempotencyKey(header);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new BadHeaderError('Idempotency-Key', `Idempotency-Key ${error.issues[0].message}, such as a UUID.`);
  }
}
