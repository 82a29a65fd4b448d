import type { SessionScope } from '../../domain/index.js';

/** The scope one route needs, and for writes the action name the audit log gives it. */
export interface RouteScope {
  method: string;
  /** A router path template: `:id` is one path segment, a trailing `*` any rest. */
  path: string;
  scope: SessionScope;
  /** Set for writes: a refusal for lack of scope is audited under this name. */
  action?: string;
}

// The router's COLLECTION_PATH; spelled here too so this table imports nothing from the router.
const API = '/api/v1/agent-sessions';
const ITEM = `${API}/:id`;

/**
 * Every route and the scope it needs: the single table both the HTTP layer and its tests read.
 * A new route is one line here; a method/path not listed needs only an authenticated caller (so
 * it can still answer 404 or 405). Collection paths come before the `:id` template, which would
 * also match them; the first matching row wins. HEAD is checked as GET.
 */
export const ROUTE_SCOPES: readonly RouteScope[] = [
  { method: 'GET', path: API, scope: 'sessions:read' },
  { method: 'POST', path: API, scope: 'sessions:write', action: 'create' },
  { method: 'GET', path: `${API}/events`, scope: 'sessions:read' },
  { method: 'POST', path: `${API}/search`, scope: 'sessions:read' },
  { method: 'POST', path: `${API}/count`, scope: 'sessions:read' },
  { method: 'POST', path: `${API}/prune`, scope: 'sessions:admin', action: 'prune' },
  { method: 'POST', path: `${API}/pause`, scope: 'sessions:admin', action: 'bulk_pause' },
  { method: 'POST', path: `${API}/resume`, scope: 'sessions:admin', action: 'bulk_resume' },
  { method: 'GET', path: ITEM, scope: 'sessions:read' },
  { method: 'PATCH', path: ITEM, scope: 'sessions:write', action: 'update' },
  { method: 'DELETE', path: ITEM, scope: 'sessions:write', action: 'delete' },
  { method: 'GET', path: `${ITEM}/events`, scope: 'sessions:read' },
  { method: 'POST', path: `${ITEM}/pause`, scope: 'sessions:write', action: 'pause' },
  { method: 'POST', path: `${ITEM}/resume`, scope: 'sessions:write', action: 'resume' },
  { method: 'POST', path: `${ITEM}/copy`, scope: 'sessions:write', action: 'copy' },
  { method: 'GET', path: '/metrics', scope: 'sessions:admin' },
  { method: 'GET', path: '/openapi.json', scope: 'sessions:admin' },
  { method: 'GET', path: '/docs', scope: 'sessions:admin' },
  { method: 'GET', path: '/docs/*', scope: 'sessions:admin' },
];

/**
 * Routes `createServer` answers before authentication, for anyone: they hold no session data.
 * The console's page and files, its login (which takes a key and sets the cookie the API then
 * accepts as that key) and logout, and the health checks.
 */
export const PUBLIC_ROUTES: readonly { method: string; path: string }[] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/readyz' },
  { method: 'GET', path: '/console' },
  { method: 'GET', path: '/console/' },
  { method: 'GET', path: '/console/console.js' },
  { method: 'GET', path: '/console/api.js' },
  { method: 'GET', path: '/console/console.css' },
  { method: 'GET', path: '/console/auth' },
  { method: 'POST', path: '/console/login' },
  { method: 'POST', path: '/console/logout' },
];

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

const COMPILED = ROUTE_SCOPES.map((row) => ({
  row,
  pattern: new RegExp(`^${escape(row.path).replace(':id', '([^/]+)').replace(/\*$/, '.*')}/?$`),
}));

/** The row that governs this request, with the session id its path names (or `null`). */
export function routeScopeFor(method: string, path: string): { row: RouteScope; sessionId: string | null } | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const { row, pattern } of COMPILED) {
    if (row.method !== wanted) continue;
    const match = pattern.exec(path);
    if (match) return { row, sessionId: match[1] === undefined ? null : safeDecode(match[1]) };
  }
  return undefined;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The OpenAPI paths with each operation's scope as `x-required-scope`, read from the table, so
 * the document and the server cannot disagree. `{param}` path segments stand for `:id`.
 */
export function withRequiredScopes<T extends Record<string, Record<string, unknown>>>(paths: T): T {
  const annotated: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(paths)) {
    const template = path.replace(/\{[^}]+\}/g, ':id');
    annotated[path] = Object.fromEntries(
      Object.entries(item).map(([method, operation]) => {
        const row = ROUTE_SCOPES.find((r) => r.method === method.toUpperCase() && r.path === template);
        return [method, row ? { ...(operation as object), 'x-required-scope': row.scope } : operation];
      }),
    );
  }
  return annotated as T;
}
