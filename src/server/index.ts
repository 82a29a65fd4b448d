// The optional HTTP layer: import from 'agent-sessions/server'.
export { createServer, type CreateServerOptions } from './app.js';
export {
  createAgentSessionRouter,
  COLLECTION_PATH,
  DEFAULT_BODY_LIMIT_BYTES,
  type AgentSessionRouterOptions,
} from './router.js';
export {
  startServer,
  DEFAULT_CONNECTION_LIMITS,
  type StartServerOptions,
  type ConnectionLimits,
  type RunningServer,
} from './start.js';
export type { UnexpectedErrorHandler } from './error-middleware.js';
export { PROBLEM_TYPES } from './problems.js';
export { buildOpenApiDocument, OPENAPI_ITEM_PATH, type OpenApiDocument } from './openapi.js';
export { createDocsRouter, DOCS_PATH, OPENAPI_PATH } from './docs-routes.js';
export * from './schemas.js';
export * from './http-errors.js';
export { authorizeRequests, type Authorize, type HttpAuditSink, type RequestAuthorizationOptions } from './auth/authorize-requests.js';
export { ApiKeyRing, digestOf, loadApiKeysFile, parseApiKeysFile, plainApiKeys, type ApiKeyEntry, type ApiKeySource } from './auth/api-keys.js';
export { PUBLIC_ROUTES, ROUTE_SCOPES, type RouteScope } from './auth/route-scopes.js';
export { auditToLogger } from './auth/audit-log.js';
export { MissingPackageError } from './optional-package.js';
export { CONSOLE_PATH } from './console-routes.js';
