import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { ValidationError } from '../domain/index.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

interface RawBodyError extends Error {
  type?: string;
}

/**
 * Reads and parses a JSON request body of at most `limitBytes`. Refuses other media types (415),
 * compressed bodies (415), oversize bodies (413, without reading past the limit), invalid
 * UTF-8 and malformed JSON (400).
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  if (!ctx.request.length && !ctx.get('Transfer-Encoding')) {
    throw new ValidationError([{ path: 'body', message: 'is required: send a JSON object' }]);
  }
  const contentType = ctx.get('Content-Type');
  if (!ctx.is('application/json', 'application/*+json')) throw new UnsupportedMediaTypeError(contentType || '(none)');
  const encoding = ctx.get('Content-Encoding');
  if (encoding && encoding.trim().toLowerCase() !== 'identity') {
    throw new UnsupportedMediaTypeError(contentType, `Content-Encoding '${encoding}' is not supported; send the body uncompressed.`);
  }
  const charset = ctx.request.charset;
  if (charset && charset.toLowerCase() !== 'utf-8' && charset.toLowerCase() !== 'utf8') {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let bytes: Buffer;
  try {
    bytes = await getRawBody(ctx.req, { length: ctx.request.length, limit: limitBytes });
  } catch (error) {
    const type = (error as RawBodyError).type;
    if (type === 'entity.too.large') throw new PayloadTooLargeError(limitBytes);
    if (type === 'request.size.invalid') {
      throw new ValidationError([{ path: 'body', message: 'is shorter or longer than Content-Length says' }]);
    }
    if (type === 'request.aborted') throw new ValidationError([{ path: 'body', message: 'was cut off: the client aborted' }]);
    throw error;
  }
  let text: string;
  try {
    // Fatal: invalid bytes are refused, never stored as U+FFFD.
    text = UTF8.decode(bytes);
  } catch {
    throw new ValidationError([{ path: 'body', message: 'is not valid UTF-8' }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ path: 'body', message: 'is not valid JSON' }]);
  }
}
