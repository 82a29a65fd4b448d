import {
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotSupportedError,
  SessionNotFoundError,
  StoreUnavailableError,
  ValidationError,
  VersionConflictError,
  WriteOutcomeUnknownError,
} from '../domain/index.js';
import {
  BadHeaderError,
  ExpectationFailedError,
  HeadersTooLargeError,
  MalformedRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RequestTimeoutError,
  RouteNotFoundError,
  TooManyStreamsError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from './http-errors.js';
import { MissingPackageError } from './optional-package.js';
import type { Problem } from './schemas.js';

type ErrorClass = abstract new (...args: never[]) => Error;

interface ProblemKind {
  error: ErrorClass;
  status: number;
  slug: string;
  title: string;
}

/** The only place that decides which HTTP status an error becomes. */
const PROBLEM_KINDS: readonly ProblemKind[] = [
  { error: MalformedRequestError, status: 400, slug: 'malformed-request', title: 'Malformed request' },
  { error: ValidationError, status: 400, slug: 'invalid-input', title: 'Invalid input' },
  { error: BadHeaderError, status: 400, slug: 'invalid-header', title: 'Invalid header' },
  { error: InvalidTransitionError, status: 400, slug: 'invalid-transition', title: 'Transition not allowed' },
  { error: UnauthorizedError, status: 401, slug: 'unauthorized', title: 'Unauthorized' },
  { error: ForbiddenError, status: 403, slug: 'forbidden', title: 'Forbidden' },
  { error: SessionNotFoundError, status: 404, slug: 'session-not-found', title: 'Agent session not found' },
  { error: RouteNotFoundError, status: 404, slug: 'not-found', title: 'Not found' },
  { error: MethodNotAllowedError, status: 405, slug: 'method-not-allowed', title: 'Method not allowed' },
  { error: RequestTimeoutError, status: 408, slug: 'request-timeout', title: 'Request timeout' },
  { error: VersionConflictError, status: 412, slug: 'version-mismatch', title: 'Precondition failed' },
  { error: PayloadTooLargeError, status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  { error: UnsupportedMediaTypeError, status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  { error: ExpectationFailedError, status: 417, slug: 'expectation-failed', title: 'Expectation failed' },
  { error: IdempotencyKeyReusedError, status: 422, slug: 'idempotency-key-reused', title: 'Idempotency key reused' },
  { error: HeadersTooLargeError, status: 431, slug: 'headers-too-large', title: 'Request headers too large' },
  { error: NotSupportedError, status: 501, slug: 'not-supported', title: 'Not supported by this store' },
  { error: MissingPackageError, status: 501, slug: 'package-not-installed', title: 'Optional package not installed' },
  // Before StoreUnavailableError, of which it is a kind: the first match wins.
  { error: WriteOutcomeUnknownError, status: 503, slug: 'write-outcome-unknown', title: 'Write outcome unknown' },
  { error: StoreUnavailableError, status: 503, slug: 'store-unavailable', title: 'Store unavailable' },
  { error: TooManyStreamsError, status: 503, slug: 'too-many-streams', title: 'Too many event streams' },
];

const PROBLEM_TYPE_BASE = 'urn:agent-sessions:problem:';

/** Problem JSON for an error, and whether it was one we meant to raise (anything else is a 500). */
export function problemFor(error: unknown): { problem: Problem; expected: boolean } {
  const kind = PROBLEM_KINDS.find((k) => error instanceof k.error);
  if (!kind) {
    return {
      expected: false,
      problem: {
        type: `${PROBLEM_TYPE_BASE}internal-error`,
        title: 'Internal server error',
        status: 500,
        detail: 'An unexpected error occurred.',
      },
    };
  }
  const problem: Problem = {
    type: `${PROBLEM_TYPE_BASE}${kind.slug}`,
    title: kind.title,
    status: kind.status,
    detail: detailOf(error as Error),
  };
  if (error instanceof ValidationError) problem.errors = error.issues;
  return { problem, expected: true };
}

/** Store errors may carry internals (addresses, commands); the client gets a fixed sentence. */
function detailOf(error: Error): string {
  // Written by the manager and the stores, never by Redis: it names at most a session id.
  if (error instanceof WriteOutcomeUnknownError) return error.message;
  if (error instanceof StoreUnavailableError) return 'The session store is unavailable; try again later.';
  return error.message;
}

/** The problem types this server can answer with, for documentation. */
export const PROBLEM_TYPES = PROBLEM_KINDS.map((k) => ({ type: `${PROBLEM_TYPE_BASE}${k.slug}`, status: k.status, title: k.title }));
