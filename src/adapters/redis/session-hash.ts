import { SESSION_FIELD_NAMES, type AgentSession, type SessionMode, type SessionStatus } from '../../domain/index.js';

// How a session is kept in its Redis hash. Timestamps are integer milliseconds (the update script
// computes `updatedAt` from them), title and metadata are JSON (so `null` survives and the update
// script can tell "changed" by comparing strings, the same test as `JSON.stringify` differing).

/** The session as the field/value list HSET takes. */
export function toHashFields(session: AgentSession): string[] {
  return [
    'id', session.id,
    'dbConnectionId', session.dbConnectionId,
    'status', session.status,
    'mode', session.mode,
    'recursionLimit', String(session.recursionLimit),
    'title', JSON.stringify(session.title),
    'createdAt', String(Date.parse(session.createdAt)),
    'updatedAt', String(Date.parse(session.updatedAt)),
    'metadata', JSON.stringify(session.metadata),
    'version', String(session.version),
  ];
}

/** The hash fields of a session, in the order `fromFieldValues` reads them (the domain's field order). */
export const SESSION_FIELDS = SESSION_FIELD_NAMES;

/** The session from HMGET's values for `SESSION_FIELDS`, in that order. */
export function fromFieldValues(values: readonly string[]): AgentSession {
  const [id, dbConnectionId, status, mode, recursionLimit, title, createdAt, updatedAt, metadata, version] = values;
  return fromHash({ id, dbConnectionId, status, mode, recursionLimit, title, createdAt, updatedAt, metadata, version });
}

/** The session from the flat field/value list HGETALL (inside a script) replies with. */
export function fromHashFields(fields: readonly string[]): AgentSession {
  const hash: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) hash[fields[i]] = fields[i + 1];
  return fromHash(hash);
}

/** The session from the object ioredis makes of an HGETALL reply. */
export function fromHash(hash: Record<string, string>): AgentSession {
  return {
    id: hash.id,
    dbConnectionId: hash.dbConnectionId,
    status: hash.status as SessionStatus,
    mode: hash.mode as SessionMode,
    recursionLimit: Number(hash.recursionLimit),
    title: JSON.parse(hash.title) as string | null,
    createdAt: new Date(Number(hash.createdAt)).toISOString(),
    updatedAt: new Date(Number(hash.updatedAt)).toISOString(),
    metadata: JSON.parse(hash.metadata) as AgentSession['metadata'],
    version: Number(hash.version),
  };
}
