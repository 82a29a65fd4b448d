import { SESSION_MODES, SESSION_STATUSES, type AgentSession, type SessionMode, type SessionStatus } from '../../domain/index.js';

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

/** The hash fields of a session, in the order `fromFieldValues` reads them. */
export const SESSION_FIELDS = [
  'id',
  'dbConnectionId',
  'status',
  'mode',
  'recursionLimit',
  'title',
  'createdAt',
  'updatedAt',
  'metadata',
  'version',
] as const;

// The largest time a Date can hold.
const MAX_TIME_MS = 8_640_000_000_000_000;

/**
 * A session hash holds something this store never writes (a field missing, not a number, not
 * JSON, a status or mode that does not exist): another program, a bad restore or a manual edit
 * wrote it. Such a record is never served; the error names the key and the field, not the value.
 */
export class CorruptSessionError extends Error {
  constructor(
    readonly sessionId: string,
    readonly field: string,
    reason: string,
  ) {
    super(`The Redis hash of agent session '${sessionId}' is corrupt: field '${field}' ${reason}. It is not served; repair or delete it.`);
    this.name = 'CorruptSessionError';
  }
}

/** The session from HMGET's values for `SESSION_FIELDS`, in that order (`false` for a missing field, as Lua encodes nil). */
export function fromFieldValues(values: readonly (string | false | null)[]): AgentSession {
  const hash: Record<string, string> = {};
  SESSION_FIELDS.forEach((field, i) => {
    const value = values[i];
    if (typeof value === 'string') hash[field] = value;
  });
  return fromHash(hash);
}

/** The session from the flat field/value list HGETALL (inside a script) replies with. */
export function fromHashFields(fields: readonly string[]): AgentSession {
  const hash: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) hash[fields[i]] = fields[i + 1];
  return fromHash(hash);
}

/** The session from the object ioredis makes of an HGETALL reply; throws `CorruptSessionError` on anything this store would not have written. */
export function fromHash(hash: Record<string, string>, expectedId?: string): AgentSession {
  const id = hash.id ?? expectedId ?? '(unknown)';
  const corrupt = (field: string, reason: string) => new CorruptSessionError(id, field, reason);
  if (typeof hash.id !== 'string' || (expectedId !== undefined && hash.id !== expectedId)) throw corrupt('id', 'does not match its key');
  const text = (field: string): string => {
    const value = hash[field];
    if (typeof value !== 'string') throw corrupt(field, 'is missing');
    return value;
  };
  const integer = (field: string, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = text(field);
    const number = /^-?[0-9]{1,16}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < min || number > max) throw corrupt(field, `is not an integer from ${min} to ${max}`);
    return number;
  };
  const time = (field: string) => new Date(integer(field, 0, MAX_TIME_MS)).toISOString();
  const json = (field: string): unknown => {
    try {
      return JSON.parse(text(field)) as unknown;
    } catch (error) {
      if (error instanceof CorruptSessionError) throw error;
      throw corrupt(field, 'is not JSON');
    }
  };
  const oneOf = <T extends string>(field: string, values: readonly T[]): T => {
    const value = text(field);
    if (!(values as readonly string[]).includes(value)) throw corrupt(field, `is not one of ${values.join(', ')}`);
    return value as T;
  };
  const dbConnectionId = text('dbConnectionId');
  if (dbConnectionId === '') throw corrupt('dbConnectionId', 'is empty');
  const title = json('title');
  if (title !== null && typeof title !== 'string') throw corrupt('title', 'is not a JSON string or null');
  const metadata = json('metadata');
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw corrupt('metadata', 'is not a JSON object');
  return {
    id: hash.id,
    dbConnectionId,
    status: oneOf<SessionStatus>('status', SESSION_STATUSES),
    mode: oneOf<SessionMode>('mode', SESSION_MODES),
    recursionLimit: integer('recursionLimit', 1),
    title,
    createdAt: time('createdAt'),
    updatedAt: time('updatedAt'),
    metadata: metadata as AgentSession['metadata'],
    version: integer('version', 1),
  };
}
