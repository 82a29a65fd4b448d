import { ValidationError } from '../domain/index.js';
import type {
  AgentSession,
  SessionFieldName,
  SessionPruneInput,
  SessionSearchFilter,
  SessionSearchPage,
  SessionSearchQuery,
  SessionEvent,
  CreateSessionInput,
  ListSessionsQuery as DomainListQuery,
  UpdateSessionInput,
} from '../domain/index.js';
import type {
  CountSessionsBody,
  PruneSessionsBody,
  SearchPageResource,
  SearchSessionsBody,
  SessionWireField,
  CreateSessionBody,
  ListSessionsQuery,
  SessionEventResource,
  SessionResource,
  UpdateSessionBody,
} from './schemas.js';

// The one place where snake_case wire names meet camelCase library names.

export function toSessionResource(session: AgentSession): SessionResource {
  return {
    id: session.id,
    db_connection_id: session.dbConnectionId,
    status: session.status,
    mode: session.mode,
    recursion_limit: session.recursionLimit,
    title: session.title,
    created_at: session.createdAt,
    updated_at: session.updatedAt,
    metadata: session.metadata as Record<string, unknown>,
  };
}

/** An event as the `data:` of its Server-Sent Event (the event id travels as the SSE `id:`). */
export function toSessionEventResource(event: SessionEvent): SessionEventResource {
  return {
    type: event.type,
    session: toSessionResource(event.session),
    previous_status: event.previousStatus,
    at: event.at,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}

// Library names of the input fields whose wire name differs; every other field is spelled alike.
const WIRE_NAMES: Readonly<Record<string, string>> = {
  dbConnectionId: 'db_connection_id',
  recursionLimit: 'recursion_limit',
};

/**
 * A validation issue path as an HTTP caller spelled it: the first segment in its wire name
 * (`dbConnectionId` -> `db_connection_id`); the rest, inside metadata, is the caller's own keys.
 */
export function toWirePath(path: string): string {
  const end = path.search(/[.[]/);
  const head = end === -1 ? path : path.slice(0, end);
  return Object.hasOwn(WIRE_NAMES, head) ? WIRE_NAMES[head] + path.slice(head.length) : path;
}

/**
 * Runs a manager call for an HTTP caller: its validation errors name fields as the caller sent
 * them (the schemas already checked the wire shape, so these are the rules only the manager has).
 */
export async function inWireTerms<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.issues.map((issue) => ({ ...issue, path: toWirePath(issue.path) })), error.omittedIssues);
  }
}

/**
 * `value` without its `undefined` properties, so absent wire fields stay absent. For the objects
 * built here with fixed keys (a client's keys, `__proto__` say, would need defineProperty).
 */
export function withoutUndefined<T extends object>(value: T): T {
  // A plain loop: this runs on every write request, and entries/filter/fromEntries cost 5x more.
  const defined: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) defined[key] = field;
  }
  return defined as T;
}

export function toCreateInput(body: CreateSessionBody): CreateSessionInput {
  return withoutUndefined({
    dbConnectionId: body.db_connection_id,
    mode: body.mode,
    recursionLimit: body.recursion_limit,
    title: body.title,
    metadata: body.metadata,
  });
}

export function toUpdateInput(body: UpdateSessionBody): UpdateSessionInput {
  return withoutUndefined({ title: body.title, status: body.status, metadata: body.metadata });
}

export function toListQuery(query: ListSessionsQuery): DomainListQuery {
  return withoutUndefined({
    dbConnectionId: query.db_connection_id,
    status: query.status,
    limit: query.limit,
    offset: query.offset,
  });
}

const FIELD_OF_WIRE: Record<SessionWireField, SessionFieldName> = {
  id: 'id',
  db_connection_id: 'dbConnectionId',
  status: 'status',
  mode: 'mode',
  recursion_limit: 'recursionLimit',
  title: 'title',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  metadata: 'metadata',
};
const WIRE_OF_FIELD = Object.fromEntries(Object.entries(FIELD_OF_WIRE).map(([wire, field]) => [field, wire])) as Record<string, SessionWireField>;

export function toSearchFilter(body: CountSessionsBody): SessionSearchFilter {
  return withoutUndefined({
    dbConnectionId: body.db_connection_id,
    status: body.status,
    mode: body.mode,
    metadata: body.metadata,
    createdAfter: body.created_after,
    createdBefore: body.created_before,
    updatedAfter: body.updated_after,
    updatedBefore: body.updated_before,
  });
}

export function toPruneInput(body: PruneSessionsBody): SessionPruneInput {
  const { older_than: olderThan, ...filter } = body;
  return withoutUndefined({ ...toSearchFilter(filter), olderThan });
}

export function toSearchQuery(body: SearchSessionsBody): SessionSearchQuery {
  const { sort_by: sortBy, sort_order: sortOrder, limit, cursor, select, ...filter } = body;
  return withoutUndefined({
    ...toSearchFilter(filter),
    sortBy: sortBy === undefined ? undefined : sortBy === 'created_at' ? 'createdAt' : 'updatedAt',
    sortOrder,
    limit,
    cursor,
    select: select?.map((field) => FIELD_OF_WIRE[field]),
  });
}

/** A search page on the wire; a projected session keeps only its selected wire fields. */
export function toSearchPageResource(page: SessionSearchPage<Partial<AgentSession> & { id: string }>): SearchPageResource {
  const sessions = page.sessions.map((session) => {
    if ('version' in session) return toSessionResource(session as AgentSession);
    const resource: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(session)) resource[WIRE_OF_FIELD[field]] = value;
    return resource as SearchPageResource['sessions'][number];
  });
  return { sessions, next_cursor: page.nextCursor, total: page.total };
}
