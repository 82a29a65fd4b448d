import type { Context, Middleware } from 'koa';
import {
  fullAccess,
  isCheckedPrincipal,
  ValidationError,
  validatePrincipal,
  type AgentSessionManager,
  type AuditEntry,
  type Principal,
  type ScopedSessionManager,
} from '../../domain/index.js';
import { UnauthorizedError } from '../http-errors.js';
import { routeScopeFor } from './route-scopes.js';

/**
 * Who is calling: a principal, or `undefined`/`null` to refuse with 401. May also throw
 * `UnauthorizedError` (401) or `ForbiddenError` (403) with a message of its own.
 */
export type Authorize = (ctx: Context) => Principal | null | undefined | Promise<Principal | null | undefined>;

/** Receives every audited write with the request it came in. */
export type HttpAuditSink = (entry: AuditEntry, ctx: Context) => void;

/** What `authorizeRequests` needs. */
export interface RequestAuthorizationOptions {
  manager: AgentSessionManager;
  authorize: Authorize;
  onAudit?: HttpAuditSink;
  /** The message of the 401; the default asks for an API key. */
  unauthorizedMessage?: string;
}

// Where the request's scoped view of the manager is kept for the route handlers.
const VIEW = 'agentSessionsView';
const ANONYMOUS = fullAccess('anonymous');

/**
 * Authenticates every request it sees (401 without a principal), checks the route's scope from
 * `ROUTE_SCOPES` (403, audited for writes) and leaves the principal's view of the manager for the
 * route handlers, which call nothing else: one enforcement path for API keys and host logins.
 */
export function authorizeRequests(options: RequestAuthorizationOptions): Middleware {
  const { manager, authorize, onAudit } = options;
  return async function authorizeRequest(ctx, next) {
    const principal = await authorize(ctx);
    if (!principal) throw new UnauthorizedError(options.unauthorizedMessage);
    const view = scopedView(manager, checked(principal), ctx, onAudit);
    ctx.state[VIEW] = view;
    const route = routeScopeFor(ctx.method, ctx.path);
    if (route) view.authorize(route.row.scope, route.row.action, route.sessionId);
    await next();
  };
}

/** The view `authorizeRequests` left for this request; full access when none ran (no auth set up). */
export function viewOf(ctx: Context, manager: AgentSessionManager, onAudit?: HttpAuditSink): ScopedSessionManager {
  const view = ctx.state[VIEW] as ScopedSessionManager | undefined;
  if (view) return view;
  if (onAudit) return (ctx.state[VIEW] = scopedView(manager, ANONYMOUS, ctx, onAudit));
  // Without auth or audit every request gets the same view: nothing in it is per request.
  let shared = SHARED_VIEWS.get(manager);
  if (!shared) SHARED_VIEWS.set(manager, (shared = manager.scoped(ANONYMOUS)));
  return shared;
}

const SHARED_VIEWS = new WeakMap<AgentSessionManager, ScopedSessionManager>();

function scopedView(manager: AgentSessionManager, principal: Principal, ctx: Context, onAudit?: HttpAuditSink): ScopedSessionManager {
  return manager.scoped(principal, onAudit ? { audit: (entry) => onAudit(entry, ctx) } : {});
}

// Principals from API keys are checked when the key file is read; a host hook's are checked here,
// and a bad one is the host's fault (500), not the client's (400).
function checked(principal: Principal): Principal {
  if (isCheckedPrincipal(principal)) return principal;
  try {
    return validatePrincipal(principal);
  } catch (error) {
    if (error instanceof ValidationError) throw new Error(`authorize returned an invalid principal: ${error.message}`);
    throw error;
  }
}
