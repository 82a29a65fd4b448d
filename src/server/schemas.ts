import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  LIMITS,
  SESSION_EVENT_TYPES,
  SESSION_MODES,
  SESSION_STATUSES,
  type SessionEventType,
  type SessionMode,
  type SessionStatus,
} from '../domain/index.js';

// The single source of truth for the wire: ajv validates requests with these schemas, the wire
// types below are derived from them, and the OpenAPI document is built from them.

function StringEnum<T extends string>(values: readonly T[], description: string) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], description });
}

/** `schema` or JSON `null`, as one `type` array so a bad value gets one clear error. */
function Nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type as string, 'null'] });
}

const Metadata = Type.Record(Type.String(), Type.Unknown(), {
  description: `Custom JSON object; at most ${LIMITS.metadataMaxBytes} bytes serialized and ${LIMITS.metadataMaxDepth} levels deep.`,
});

const Title = Type.String({ maxLength: LIMITS.titleMaxLength, description: 'Session title for identification.' });

const DbConnectionId = Type.String({
  minLength: 1,
  maxLength: LIMITS.dbConnectionIdMaxLength,
  description: 'Database connection id for this session.',
});

export const SessionModeSchema = StringEnum<SessionMode>(SESSION_MODES, 'Agent operation mode.');
export const SessionStatusSchema = StringEnum<SessionStatus>(SESSION_STATUSES, 'Session status.');

/** POST /api/v1/agent-sessions request body. */
export const CreateSessionBody = Type.Object(
  {
    db_connection_id: DbConnectionId,
    mode: Type.Optional(SessionModeSchema),
    recursion_limit: Type.Optional(
      Type.Integer({
        minimum: LIMITS.recursionLimitMin,
        maximum: LIMITS.recursionLimitMax,
        description: `Maximum recursion depth (default ${LIMITS.recursionLimitDefault}).`,
      }),
    ),
    title: Type.Optional(Nullable(Title)),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type CreateSessionBody = Static<typeof CreateSessionBody>;

/** PATCH /api/v1/agent-sessions/{id} request body. */
export const UpdateSessionBody = Type.Object(
  {
    title: Type.Optional(Nullable(Title)),
    status: Type.Optional(SessionStatusSchema),
    metadata: Type.Optional(Nullable(Metadata)),
  },
  { additionalProperties: false },
);
export type UpdateSessionBody = Static<typeof UpdateSessionBody>;

/** POST /api/v1/agent-sessions/{id}/copy request body (optional): what replaces the source's. */
export const CopySessionBody = Type.Object(
  { title: Type.Optional(Nullable(Title)), metadata: Type.Optional(Nullable(Metadata)) },
  { additionalProperties: false },
);
export type CopySessionBody = Static<typeof CopySessionBody>;

/** POST /api/v1/agent-sessions/pause request body: which sessions to pause. */
export const PauseAllBody = Type.Object(
  {
    db_connection_id: DbConnectionId,
    status: Type.Optional(StringEnum<SessionStatus>(['active', 'running'], 'Pause only sessions in this status (default both).')),
  },
  { additionalProperties: false },
);
export type PauseAllBody = Static<typeof PauseAllBody>;

/** POST /api/v1/agent-sessions/resume request body: which sessions to resume. */
export const ResumeAllBody = Type.Object(
  {
    db_connection_id: DbConnectionId,
    status: Type.Optional(StringEnum<SessionStatus>(['paused'], 'Only `paused` sessions can be resumed (the default).')),
  },
  { additionalProperties: false },
);
export type ResumeAllBody = Static<typeof ResumeAllBody>;

export const PausedCountResource = Type.Object({ paused: Type.Integer({ description: 'Sessions this call paused.' }) });
export type PausedCountResource = Static<typeof PausedCountResource>;

export const ResumedCountResource = Type.Object({ resumed: Type.Integer({ description: 'Sessions this call resumed.' }) });
export type ResumedCountResource = Static<typeof ResumedCountResource>;

/** GET /api/v1/agent-sessions query string (numbers arrive as strings and are converted strictly). */
export const ListSessionsQuery = Type.Object(
  {
    db_connection_id: Type.Optional(DbConnectionId),
    status: Type.Optional(SessionStatusSchema),
    limit: Type.Optional(
      Type.Integer({ minimum: LIMITS.listLimitMin, maximum: LIMITS.listLimitMax, default: LIMITS.listLimitDefault }),
    ),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);
export type ListSessionsQuery = Static<typeof ListSessionsQuery>;

/** GET /api/v1/agent-sessions/events query string. */
export const SessionEventsQuery = Type.Object(
  { db_connection_id: Type.Optional(DbConnectionId) },
  { additionalProperties: false },
);
export type SessionEventsQuery = Static<typeof SessionEventsQuery>;

/** A session on the wire: exactly these nine fields. */
export const SessionResource = Type.Object(
  {
    id: Type.String({ description: 'Opaque id, prefixed `sess_`.' }),
    db_connection_id: Type.String(),
    status: SessionStatusSchema,
    mode: SessionModeSchema,
    recursion_limit: Type.Integer(),
    title: Nullable(Type.String()),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    metadata: Metadata,
  },
  { additionalProperties: false },
);
export type SessionResource = Static<typeof SessionResource>;

export const SessionPageResource = Type.Object({
  sessions: Type.Array(SessionResource),
  total: Type.Integer({ description: 'Sessions matching the filters, not the size of this page.' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
});
export type SessionPageResource = Static<typeof SessionPageResource>;

/** One change event, as the `data:` of a Server-Sent Event; its id is the SSE `id:`. */
export const SessionEventResource = Type.Object(
  {
    type: StringEnum<SessionEventType>(SESSION_EVENT_TYPES, 'What happened: a status change is `transitioned`.'),
    session: SessionResource,
    previous_status: Nullable(StringEnum<SessionStatus>(SESSION_STATUSES, 'The status before the change; `null` for `created`.')),
    at: Type.String({ description: 'When the store recorded the change (ISO 8601 UTC).' }),
  },
  { additionalProperties: false },
);
export type SessionEventResource = Static<typeof SessionEventResource>;

export const CreatedResource = Type.Object({ session_id: Type.String() });
export type CreatedResource = Static<typeof CreatedResource>;

export const StatusResource = Type.Object({ status: Type.String() });
export type StatusResource = Static<typeof StatusResource>;

/** RFC 9457 problem details, as every error response carries them. */
export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});
export type Problem = Static<typeof Problem>;

/** Body of the console's `POST /console/login`: the API key to exchange for a login cookie. */
export const ConsoleLoginBody = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: 1024, description: 'One of the configured API keys.' }) },
  { additionalProperties: false },
);
export type ConsoleLoginBody = Static<typeof ConsoleLoginBody>;
