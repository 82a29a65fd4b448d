import { BadHeaderError } from './http-errors.js';
import type { WriteOptions } from '../domain/index.js';

/** The strong entity tag of a session version. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

const ETAG = /^(W\/)?"([^"]*)"$/;

/**
 * Turns an `If-Match` header into write options. `*` and no header mean "any version".
 * Comparison is strong (RFC 9110), so a weak or foreign tag can never match: it becomes an
 * impossible version, which the store answers with a version conflict (412).
 */
export function writeOptionsFromIfMatch(header: string | undefined): WriteOptions {
  if (header === undefined || header.trim() === '*') return {};
  const tags = header.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length !== 1) throw new BadHeaderError('If-Match', 'If-Match must carry exactly one entity tag (or *).');
  const match = ETAG.exec(tags[0]);
  if (!match) throw new BadHeaderError('If-Match', 'If-Match must be a quoted entity tag, such as "3".');
  const version = /^[1-9][0-9]{0,14}$/.test(match[2]) && !match[1] ? Number(match[2]) : undefined;
  return { ifVersion: version ?? NEVER_A_VERSION };
}

// Versions count up from 1; this one is never reached, so it never matches.
const NEVER_A_VERSION = Number.MAX_SAFE_INTEGER;
