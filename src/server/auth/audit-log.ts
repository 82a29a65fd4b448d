import type { Logger } from 'pino';
import { infoLineWriter } from '../logger.js';
import type { HttpAuditSink } from './authorize-requests.js';

/**
 * One info line per write: `{"audit": {principal, action, session_id, outcome, request_id}}`.
 * Names only, never a key. Nested, so the request's own log line stays the only one with its
 * top-level `reqId`.
 */
export function auditToLogger(logger: Logger): HttpAuditSink {
  const logLine = infoLineWriter(logger);
  return (entry, ctx) =>
    logLine(
      {
        audit: {
          principal: entry.principal,
          action: entry.action,
          session_id: entry.sessionId,
          outcome: entry.outcome,
          request_id: ctx.state.requestId,
        },
      },
      `audit: ${entry.principal} ${entry.action} ${entry.sessionId ?? '-'} ${entry.outcome}`,
    );
}
