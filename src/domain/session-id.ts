import { randomFillSync } from 'node:crypto';

const SESSION_ID_PATTERN = /^sess_[A-Za-z0-9_-]{1,64}$/;
const ID_BYTES = 16;

// One call into the CSPRNG per 256 ids instead of one per id (as crypto.randomUUID does it):
// the bytes are just as random, and creating sessions stops paying a system call each.
const pool = Buffer.alloc(ID_BYTES * 256);
let poolOffset = pool.length;

/** A new opaque, URL-safe id with 128 random bits: `sess_` + 22 base64url characters. */
export function newSessionId(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.toString('base64url', poolOffset, poolOffset + ID_BYTES);
  poolOffset += ID_BYTES;
  return `sess_${id}`;
}

/** True when `id` has the shape of a session id; anything else cannot name a session. */
export function looksLikeSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

// Ids from a host's own `generateId` (UUIDs, ULIDs, ...): one URL path segment as it is, of a
// bounded length, so every id `create` returns can be read, changed and deleted again.
// Dots alone (`.`, `..`) are excluded: URL clients resolve them as path steps.
const CUSTOM_ID_PATTERN = /^(?!\.+$)[A-Za-z0-9_.~-]{1,128}$/;

/** True when `id` may be an id of a host's `generateId`: 1-128 URL-safe characters, not dots alone. */
export function looksLikeCustomId(id: string): boolean {
  return CUSTOM_ID_PATTERN.test(id);
}
