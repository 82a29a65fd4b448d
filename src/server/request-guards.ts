import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ExpectationFailedError, HeadersTooLargeError, MalformedRequestError } from './http-errors.js';
import { problemFor } from './problems.js';

// Requests Node itself would refuse with an empty body, or half-read without saying so, answered
// with problem JSON before Koa sees them. The connection is closed after each answer: the
// request it carried was not understood, so nothing after it on the socket can be trusted.

/** Writes the problem for `error` and closes the connection. */
export function answerEarly(res: ServerResponse, error: Error): void {
  const { problem } = problemFor(error);
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body);
}

/**
 * The error for a request that must not reach the app, if any. `maxHeadersCount` is the limit
 * the caller set; the server parses one header more than it, so one over the limit is seen
 * here, instead of Node dropping it silently (a dropped `If-Match` would apply a write
 * unconditionally; a dropped `X-API-Key` would refuse a good client).
 */
function refusalOf(req: IncomingMessage, maxHeadersCount: number): Error | undefined {
  if (maxHeadersCount > 0 && req.rawHeaders.length / 2 > maxHeadersCount) {
    return new HeadersTooLargeError(`The request has more than ${maxHeadersCount} headers.`);
  }
  if (req.httpVersion === '1.1' && req.headers.host === undefined) {
    return new MalformedRequestError('An HTTP/1.1 request needs a Host header.');
  }
  return undefined;
}

/** `handler`, behind the checks above. */
export function guardRequests(handler: RequestListener, maxHeadersCount: number): RequestListener {
  return (req, res) => {
    const refusal = refusalOf(req, maxHeadersCount);
    if (refusal) answerEarly(res, refusal);
    else handler(req, res);
  };
}

/** A `checkExpectation` listener: any `Expect` but `100-continue` gets 417 problem JSON. */
export function answerUnmetExpectation(req: IncomingMessage, res: ServerResponse): void {
  answerEarly(res, new ExpectationFailedError(String(req.headers.expect)));
}
