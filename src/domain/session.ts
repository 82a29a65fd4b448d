/** The operating modes an agent session can run in. */
export const SESSION_MODES = ['analysis', 'query', 'script', 'full_autonomy'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

/** Every status a session can have; see `TRANSITIONS` for how it may move between them. */
export const SESSION_STATUSES = ['active', 'paused', 'running', 'completed', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Free-form JSON object a host attaches to a session. */
export type SessionMetadata = { readonly [key: string]: unknown };

/**
 * One agent session as the library hands it out. Returned objects are frozen snapshots:
 * changing one never changes what the store holds.
 */
export interface AgentSession {
  readonly id: string;
  readonly dbConnectionId: string;
  readonly status: SessionStatus;
  readonly mode: SessionMode;
  readonly recursionLimit: number;
  readonly title: string | null;
  /** ISO 8601 UTC with milliseconds and `Z`; never changes. */
  readonly createdAt: string;
  /** ISO 8601 UTC; moves forward on every real change and only then. */
  readonly updatedAt: string;
  readonly metadata: SessionMetadata;
  /** Starts at 1 and grows by one with every real change; the HTTP ETag is made from it. */
  readonly version: number;
}

/** What a caller gives to create a session; everything but `dbConnectionId` has a default. */
export interface CreateSessionInput {
  dbConnectionId: string;
  mode?: SessionMode;
  recursionLimit?: number;
  title?: string | null;
  metadata?: SessionMetadata | null;
}

/** What `copy` may change on the copy; anything absent is taken from the source. */
export interface CopySessionInput {
  title?: string | null;
  metadata?: SessionMetadata | null;
}

/** The fields a caller may change; `metadata` replaces the whole object, `null` clears. */
export interface UpdateSessionInput {
  title?: string | null;
  status?: SessionStatus;
  metadata?: SessionMetadata | null;
}

/** Filters and paging for `list`. */
export interface ListSessionsQuery {
  dbConnectionId?: string;
  status?: SessionStatus;
  limit?: number;
  offset?: number;
}

/** One page of sessions; `total` counts every session that matches the filters. */
export interface SessionPage {
  sessions: AgentSession[];
  total: number;
  limit: number;
  offset: number;
}

/** Optimistic concurrency for writes: apply only while the session is at this version. */
export interface WriteOptions {
  ifVersion?: number;
}
