import { randomBytes } from 'node:crypto';

const SESSION_ID_PATTERN = /^sess_[A-Za-z0-9_-]{1,64}$/;

/** A new opaque, URL-safe id with 128 random bits: `sess_` + 22 base64url characters. */
export function newSessionId(): string {
  return `sess_${randomBytes(16).toString('base64url')}`;
}

/** True when `id` has the shape of a session id; anything else cannot name a session. */
export function looksLikeSessionId(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}
