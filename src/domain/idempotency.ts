import { createHash } from 'node:crypto';
import { ValidationError } from './errors.js';
import type { AgentSession } from './session.js';
import type { ValidCreateInput } from './validation.js';

/** How long a create's idempotency key is remembered unless configured otherwise: 24 hours. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** The longest idempotency key accepted (as Stripe and the IETF draft suggest for a UUID-like key). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Options of `manager.create`. */
export interface CreateOptions {
  /**
   * Makes the create safe to retry: the same key with the same input within the idempotency TTL
   * answers the first session again instead of creating another; with different input it throws
   * `IdempotencyKeyReusedError`. 1-255 printable ASCII characters.
   */
  idempotencyKey?: string;
  /**
   * Whose key it is (such as a digest of the caller's API key): the same key of two scopes names
   * two different creates. Default: one scope for every caller.
   */
  idempotencyScope?: string;
}

/** What `createWithOutcome` answers: the session, and whether it was created by an earlier call. */
export interface CreateOutcome {
  session: AgentSession;
  /** True when an earlier create with the same idempotency key made this session. */
  replayed: boolean;
}

/** What a store keeps under an idempotency key: the request's fingerprint and the first answer. */
export interface IdempotencyRecord {
  /** A digest of the create input as validated (defaults applied, keys sorted). */
  fingerprint: string;
  /** The session as the first create returned it. */
  session: AgentSession;
}

/** An idempotency key a store claims atomically with an insert. */
export interface IdempotencyClaim {
  /** A digest of scope and key (hex, never the raw key); the store's key for the record. */
  key: string;
  record: IdempotencyRecord;
  /** How long the store keeps the record, in ms. */
  ttlMs: number;
  /** Milliseconds since the epoch, for stores that judge expiry by the manager's clock. */
  now: number;
}

/** How an `insertOnce` ended. */
export type InsertOnceOutcome =
  | { outcome: 'inserted' }
  /** The session id exists already; nothing changed, the key is not claimed. */
  | { outcome: 'id_taken' }
  /** The key was claimed earlier and has not expired; nothing changed. */
  | { outcome: 'replayed'; record: IdempotencyRecord };

/** Checks an idempotency key as the library and HTTP accept it. */
export function checkIdempotencyKey(key: unknown, path = 'idempotencyKey'): string {
  if (typeof key !== 'string' || !/^[\x20-\x7e]+$/.test(key) || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new ValidationError([{ path, message: `must be 1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters` }]);
  }
  return key;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The store key of an idempotency key in a scope; JSON keeps the two parts from running together. */
export function idempotencyStoreKey(key: string, scope = ''): string {
  return sha256(JSON.stringify([scope, key]));
}

/**
 * The idempotency scope of a principal: a digest of its name, so keys of one principal (an API
 * key entry, a host's user) never meet another's, and nothing secret is stored or compared.
 */
export function principalIdempotencyScope(principalName: string): string {
  return sha256(`principal\0${principalName}`);
}

/** A digest of the validated create input that ignores key order, so equal requests match. */
export function createFingerprint(input: ValidCreateInput): string {
  return sha256(canonicalJson(input));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
