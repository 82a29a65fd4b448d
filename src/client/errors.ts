import type { Problem } from '../server/schemas.js';

/** Problem JSON (RFC 9457) as the agent-session server sends it with every error. */
export type ApiProblem = Problem;

/** One bad field of a refused request, named by its wire path (`recursion_limit`, `metadata.a`). */
export type ApiFieldError = NonNullable<Problem['errors']>[number];

const PROBLEM_TYPE_PREFIX = 'urn:agent-sessions:problem:';

/**
 * The server answered with an error status (or with a body the client cannot use). `problem` is
 * the problem JSON when the response carried one, and `undefined` when it did not (for example a
 * proxy's HTML error page). A request that got no answer at all rejects with fetch's own error.
 */
export class AgentSessionApiError extends Error {
  /** The problem type URI, or `about:blank` when the response was not problem JSON. */
  readonly type: string;

  constructor(
    readonly status: number,
    readonly problem: ApiProblem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AgentSessionApiError';
    this.type = problem?.type ?? 'about:blank';
  }
}

/** 404: no session has this id (never created, or deleted). */
export class SessionNotFoundApiError extends AgentSessionApiError {
  override readonly name = 'SessionNotFoundApiError';
}

/** 400: the request was refused; `errors` names each bad field or header. */
export class InvalidInputApiError extends AgentSessionApiError {
  override readonly name = 'InvalidInputApiError';
  /** Every bad field, by wire path; empty when the server named none (a bad header). */
  get errors(): ApiFieldError[] {
    return this.problem?.errors ?? [];
  }
}

/** 400: the state machine forbids this status change (such as pausing a paused session). */
export class InvalidTransitionApiError extends AgentSessionApiError {
  override readonly name = 'InvalidTransitionApiError';
}

/** 403: the key's (or user's) scopes or db connections do not cover this call. */
export class ForbiddenApiError extends AgentSessionApiError {
  override readonly name = 'ForbiddenApiError';
}

/** 412: the session changed since the `ifMatch` entity tag; get it again and retry. */
export class PreconditionFailedApiError extends AgentSessionApiError {
  override readonly name = 'PreconditionFailedApiError';
}

/** 503: the server cannot reach its session store; retrying later may succeed. */
export class StoreUnavailableApiError extends AgentSessionApiError {
  override readonly name: string = 'StoreUnavailableApiError';
}

/** 503: the store did not confirm a write in time; it may have been applied. Read before retrying. */
export class WriteOutcomeUnknownApiError extends StoreUnavailableApiError {
  override readonly name = 'WriteOutcomeUnknownApiError';
}

/** 422: this idempotency key already created a session from a different request body; use a new key. */
export class IdempotencyKeyReusedApiError extends AgentSessionApiError {
  override readonly name = 'IdempotencyKeyReusedApiError';
}

type ApiErrorClass = new (status: number, problem: ApiProblem | undefined, message: string) => AgentSessionApiError;

/** Problem type slug (after `urn:agent-sessions:problem:`) → the error class callers catch. */
export const API_ERROR_CLASSES: Readonly<Record<string, ApiErrorClass>> = {
  'session-not-found': SessionNotFoundApiError,
  'invalid-input': InvalidInputApiError,
  'invalid-header': InvalidInputApiError,
  'invalid-transition': InvalidTransitionApiError,
  'version-mismatch': PreconditionFailedApiError,
  'store-unavailable': StoreUnavailableApiError,
  forbidden: ForbiddenApiError,
  'idempotency-key-reused': IdempotencyKeyReusedApiError,
  'write-outcome-unknown': WriteOutcomeUnknownApiError,
};

/** The typed error for a problem response, chosen by problem type (stable), not by status. */
export function apiErrorFromProblem(status: number, problem: ApiProblem, call: string): AgentSessionApiError {
  const slug = problem.type.startsWith(PROBLEM_TYPE_PREFIX) ? problem.type.slice(PROBLEM_TYPE_PREFIX.length) : '';
  const ErrorClass = API_ERROR_CLASSES[slug] ?? AgentSessionApiError;
  const explanation = [problem.title, problem.detail].filter(Boolean).join(': ');
  return new ErrorClass(status, problem, `${call}: ${status} ${explanation}`);
}

/** The error for a response that is not problem JSON; quotes the start of the body to explain it. */
export function apiErrorFromOtherResponse(status: number, contentType: string, body: string, call: string): AgentSessionApiError {
  const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 200);
  const what = contentType || 'no Content-Type';
  return new AgentSessionApiError(status, undefined, `${call}: ${status}, not problem JSON (${what}): ${excerpt || '(empty body)'}`);
}

/** The typed error for an error response, after reading its body (which frees the connection). */
export async function apiErrorFromResponse(response: Response, call: string): Promise<AgentSessionApiError> {
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const parsed = parseJsonReply(contentType, text);
  if (isProblem(parsed)) return apiErrorFromProblem(response.status, parsed, call);
  return apiErrorFromOtherResponse(response.status, contentType, text, call);
}

/** The body as JSON when its Content-Type says JSON (or problem JSON), else `undefined`. */
export function parseJsonReply(contentType: string, text: string): unknown {
  if (!/^application\/(problem\+)?json\b/i.test(contentType)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isProblem(value: unknown): value is ApiProblem {
  const problem = value as Partial<ApiProblem> | null | undefined;
  return typeof problem?.type === 'string' && typeof problem.status === 'number' && typeof problem.title === 'string';
}
