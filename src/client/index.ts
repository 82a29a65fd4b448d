// The HTTP client: import from 'agent-sessions/client'. It loads no Koa and no server code, so it
// runs wherever fetch does (Node 20+, browsers, edge runtimes).
export {
  AgentSessionClient,
  type AgentSessionClientOptions,
  type CallOptions,
  type CreateCallOptions,
  type WriteCallOptions,
  type SessionWithEtag,
  type StatusChange,
  type EventsOptions,
} from './agent-session-client.js';
export type { MissedEventsNotice, SessionEventMessage, SessionEventStream, SessionEventStreamItem } from './event-stream.js';
export {
  AgentSessionApiError,
  SessionNotFoundApiError,
  InvalidInputApiError,
  InvalidTransitionApiError,
  PreconditionFailedApiError,
  StoreUnavailableApiError,
  ForbiddenApiError,
  IdempotencyKeyReusedApiError,
  WriteOutcomeUnknownApiError,
  type ApiProblem,
  type ApiFieldError,
} from './errors.js';
export type {
  CreateSessionBody,
  UpdateSessionBody,
  ListSessionsQuery,
  SessionResource,
  SessionPageResource,
  CreatedResource,
  SessionEventResource,
  CopySessionBody,
  PauseAllBody,
  ResumeAllBody,
  PausedCountResource,
  ResumedCountResource,
} from '../server/schemas.js';
export type { SessionStatus, SessionMode } from '../domain/session.js';
