import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ValidationError } from '../domain/index.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors.js';

interface RawBodyError extends Error {
  type?: string;
}

/**
 * Reads and parses a JSON request body of at most `limitBytes`. Refuses other media types (415),
 * oversize bodies (413, without reading past the limit) and malformed JSON (400).
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) {
    throw new ValidationError([{ path: 'body', message: 'is required: send a JSON object' }]);
  }
  const contentType = ctx.get('Content-Type');
  if (!ctx.is('application/json', 'application/*+json')) throw new UnsupportedMediaTypeError(contentType || '(none)');
  const charset = ctx.request.charset;
  if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let text: string;
  try {
    text = await getRawBody(ctx.req, { length: ctx.request.length, limit: limitBytes, encoding: 'utf-8' });
  } catch (error) {
    const type = (error as RawBodyError).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limitBytes);
    if (type === 'request.size.invalid') {
      throw new ValidationError([{ path: 'body', message: 'is shorter or longer than Content-Length says' }]);
    }
    if (type === 'request.aborted') throw new ValidationError([{ path: 'body', message: 'was cut off: the client aborted' }]);
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ path: 'body', message: 'is not valid JSON' }]);
  }
}
