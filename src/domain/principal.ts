import { ValidationError, type ValidationIssue } from './errors.js';

/**
 * What a caller may do, as a ladder: each scope includes the ones before it. `sessions:read`
 * reads (get, list, search, count, event streams); `sessions:write` also creates and changes
 * sessions (create, update, pause, resume, delete, copy); `sessions:admin` also runs the calls
 * that reach many sessions at once (prune, bulk pause and resume) and the operator pages.
 */
export const SESSION_SCOPES = ['sessions:read', 'sessions:write', 'sessions:admin'] as const;
/** One of `SESSION_SCOPES`. */
export type SessionScope = (typeof SESSION_SCOPES)[number];

/** Who is calling and what they may reach: an API key's entry, or a host's signed-in user. */
export interface Principal {
  /** Shown in the audit log; never a secret. */
  readonly name: string;
  readonly scopes: readonly SessionScope[];
  /**
   * The db connections whose sessions this principal sees: exact ids, or prefixes ending in `*`
   * (`team-a-*`). Absent: every db connection.
   */
  readonly dbConnectionIds?: readonly string[];
}

// Principals this module built or checked, so callers need not check them again per request.
const checkedPrincipals = new WeakSet<Principal>();

/** True for principals returned by `validatePrincipal` or `fullAccess`. */
export function isCheckedPrincipal(principal: Principal): boolean {
  return checkedPrincipals.has(principal);
}

/** Every scope and every db connection: plain `API_KEYS`, and a server without keys. */
export function fullAccess(name: string): Principal {
  const principal = Object.freeze({ name, scopes: Object.freeze(['sessions:admin'] as const) });
  checkedPrincipals.add(principal);
  return principal;
}

const RANK: Record<SessionScope, number> = { 'sessions:read': 0, 'sessions:write': 1, 'sessions:admin': 2 };

/** True when one of the principal's scopes includes `scope`. */
export function hasScope(principal: Principal, scope: SessionScope): boolean {
  return principal.scopes.some((held) => RANK[held] >= RANK[scope]);
}

/** True when the principal may see sessions of this db connection. */
export function mayReachDb(principal: Principal, dbConnectionId: string): boolean {
  const patterns = principal.dbConnectionIds;
  if (patterns === undefined) return true;
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? dbConnectionId.startsWith(pattern.slice(0, -1)) : dbConnectionId === pattern,
  );
}

/** The principal's db patterns split into exact ids and prefixes; `undefined` when unrestricted. */
export function dbRestriction(principal: Principal): { exact: string[]; prefixes: string[] } | undefined {
  const patterns = principal.dbConnectionIds;
  if (patterns === undefined) return undefined;
  const prefixes = patterns.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  // A bare `*` is a prefix of everything: no restriction at all.
  if (prefixes.includes('')) return undefined;
  return { exact: [...new Set(patterns.filter((p) => !p.endsWith('*')))], prefixes };
}

/**
 * Checks a principal built from outside data (a key file entry, a host's `authorize` hook) and
 * returns it frozen; `where` prefixes every issue's path.
 */
export function validatePrincipal(raw: unknown, where = ''): Principal {
  const issues: ValidationIssue[] = [];
  const at = (field: string) => (where ? `${where}.${field}` : field);
  const input = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (input !== raw) issues.push({ path: where, message: 'must be an object' });
  const { name, scopes, dbConnectionIds } = input;
  if (typeof name !== 'string' || name.length < 1 || name.length > 128) {
    issues.push({ path: at('name'), message: 'must be a string of 1-128 characters' });
  }
  if (!Array.isArray(scopes) || scopes.length === 0) {
    issues.push({ path: at('scopes'), message: `must be a non-empty array of ${SESSION_SCOPES.join(', ')}` });
  } else {
    for (const scope of scopes) {
      if (!SESSION_SCOPES.includes(scope)) {
        issues.push({ path: at('scopes'), message: `${JSON.stringify(scope)} is not one of ${SESSION_SCOPES.join(', ')}` });
      }
    }
  }
  if (dbConnectionIds !== undefined) {
    const valid =
      Array.isArray(dbConnectionIds) &&
      dbConnectionIds.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 256 && !id.slice(0, -1).includes('*'));
    if (!valid) {
      issues.push({
        path: at('dbConnectionIds'),
        message: 'must be an array of db connection ids (1-256 characters), each exact or a prefix ending in *',
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const principal: Principal = Object.freeze({
    name: name as string,
    scopes: Object.freeze([...(scopes as SessionScope[])]),
    ...(dbConnectionIds === undefined ? {} : { dbConnectionIds: Object.freeze([...(dbConnectionIds as string[])]) }),
  });
  checkedPrincipals.add(principal);
  return principal;
}
