// Errors that exist only because of HTTP; domain errors live in src/domain/errors.ts.
// Both kinds are mapped to a status and problem type in one table (problems.ts).

/** The request body is larger than the configured limit. */
export class PayloadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body is larger than ${limitBytes} bytes.`);
    this.name = 'PayloadTooLargeError';
  }
}

/** The request body is not `application/json` (UTF-8). */
export class UnsupportedMediaTypeError extends Error {
  constructor(contentType: string, message = `Content-Type '${contentType}' is not supported; send application/json (UTF-8).`) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** The path exists but does not answer this method. */
export class MethodNotAllowedError extends Error {
  constructor(
    method: string,
    readonly allowed: readonly string[],
  ) {
    super(`Method ${method} is not allowed here; allowed: ${allowed.join(', ')}.`);
    this.name = 'MethodNotAllowedError';
  }
}

/** No route matches the path. */
export class RouteNotFoundError extends Error {
  constructor(path: string) {
    super(`No resource at '${path}'.`);
    this.name = 'RouteNotFoundError';
  }
}

/** A request header has a value the server cannot use. */
export class BadHeaderError extends Error {
  constructor(
    readonly header: string,
    message: string,
  ) {
    super(message);
    this.name = 'BadHeaderError';
  }
}

/** The request carries no valid API key (or the host's `authorize` refused it). */
export class UnauthorizedError extends Error {
  constructor(message = 'A valid API key is required: send Authorization: Bearer <key> or X-API-Key: <key>.') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

/** Node's HTTP parser could not read the request (malformed request line, headers or framing). */
export class MalformedRequestError extends Error {
  constructor(message = 'The request could not be parsed as HTTP/1.1.') {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

/** The request line and headers are larger than the server accepts. */
export class HeadersTooLargeError extends Error {
  constructor(message = 'The request headers are larger than the server accepts.') {
    super(message);
    this.name = 'HeadersTooLargeError';
  }
}

/** The request did not arrive completely within the server's request or headers timeout. */
export class RequestTimeoutError extends Error {
  constructor() {
    super('The request was not received completely in time.');
    this.name = 'RequestTimeoutError';
  }
}

/** The server has as many event streams open as it allows; try again after `retryAfterSeconds`. */
export class TooManyStreamsError extends Error {
  constructor(
    readonly maxStreams: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`The server already serves ${maxStreams} event streams, its limit; try again later.`);
    this.name = 'TooManyStreamsError';
  }
}

/** The request has an `Expect` header the server cannot meet (anything but `100-continue`). */
export class ExpectationFailedError extends Error {
  constructor(expectation: string) {
    super(`Expect: '${expectation}' is not supported; only '100-continue' is.`);
    this.name = 'ExpectationFailedError';
  }
}
