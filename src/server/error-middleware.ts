import type { Context, Next } from 'koa';
import { MethodNotAllowedError, TooManyStreamsError, UnauthorizedError } from './http-errors.js';
import { problemFor } from './problems.js';

/** Called with every error that became a 500, so the host can log it (the client never sees it). */
export type UnexpectedErrorHandler = (error: unknown, ctx: Context) => void;

/** Answers with the RFC 9457 problem for `error`; errors we did not mean to raise go to the handler. */
export function answerWithProblem(ctx: Context, error: unknown, onUnexpectedError: UnexpectedErrorHandler): void {
  const { problem, expected } = problemFor(error);
  if (!expected) onUnexpectedError(error, ctx);
  ctx.status = problem.status;
  ctx.body = problem;
  ctx.type = 'application/problem+json';
  if (error instanceof MethodNotAllowedError) ctx.set('Allow', error.allowed.join(', '));
  if (error instanceof UnauthorizedError) ctx.set('WWW-Authenticate', 'Bearer realm="agent-sessions"');
  if (error instanceof TooManyStreamsError) ctx.set('Retry-After', String(error.retryAfterSeconds));
}

/** Turns anything thrown further down into an RFC 9457 problem response. */
export function problemResponses(onUnexpectedError: UnexpectedErrorHandler) {
  return async function problemJson(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (error) {
      answerWithProblem(ctx, error, onUnexpectedError);
    }
  };
}
