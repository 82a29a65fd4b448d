import type { Socket } from 'node:net';
import { HeadersTooLargeError, MalformedRequestError, RequestTimeoutError } from './http-errors.js';
import { problemFor } from './problems.js';

// Errors Node's HTTP parser raises before Koa sees a request (malformed request line, headers
// over the limit, a request that took too long). Node would answer them with a bare status
// line; we answer with the same problem JSON every other error gets, then close the socket.

function errorForParserCode(code: string | undefined): Error {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HeadersTooLargeError();
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError();
    default:
      return new MalformedRequestError();
  }
}

/** The raw HTTP/1.1 response for a parser error: problem JSON and `Connection: close`. */
function clientErrorResponse(code: string | undefined): string {
  const { problem } = problemFor(errorForParserCode(code));
  const body = JSON.stringify(problem);
  return (
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

interface SocketWithResponse extends Socket {
  // Node's in-flight ServerResponse on this socket, if any (undocumented but stable since v0.x).
  _httpMessage?: { headersSent?: boolean };
}

/** A `clientError` listener that mirrors Node's default handling but speaks problem JSON. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const { _httpMessage: response } = socket as SocketWithResponse;
  // Only write when no response has started, or we would corrupt the stream the peer reads.
  if (error.code !== 'ECONNRESET' && socket.writable && !response?.headersSent) {
    socket.write(clientErrorResponse(error.code));
  }
  // Ends the socket once the answer is flushed (at once when nothing is pending).
  socket.destroySoon();
}
