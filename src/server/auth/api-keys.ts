import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fullAccess, validatePrincipal, ValidationError, type Principal } from '../../domain/index.js';
import { consoleCookieValue } from '../middleware/console-cookie.js';

/** One accepted key: the SHA-256 digest of the key and who presents it. */
export interface ApiKeyEntry {
  digest: Buffer;
  principal: Principal;
  /**
   * SHA-256 of the console login cookie this key gets, when the key itself is known (`API_KEYS`,
   * `"key"` entries). For `"sha256"` entries the server learns it at the first console login.
   */
  consoleCookieDigest?: Buffer;
}

const MIN_KEY_LENGTH = 16;
const ENTRY_FIELDS = new Set(['name', 'sha256', 'key', 'scopes', 'db_connection_ids']);

/** SHA-256 of a key, the form keys are compared (and may be stored) in. */
export const digestOf = (key: string): Buffer => createHash('sha256').update(key).digest();

/** Plain `API_KEYS`: full access each, named by position (`API_KEYS[0]`), never by the key. */
export function plainApiKeys(keys: readonly string[]): ApiKeyEntry[] {
  return keys.map((key, index) => ({ ...digestsOf(key), principal: fullAccess(`API_KEYS[${index}]`) }));
}

const digestsOf = (key: string) => ({ digest: digestOf(key), consoleCookieDigest: digestOf(consoleCookieValue(key)) });

/**
 * Reads an `API_KEYS_FILE`: a JSON array of `{name, sha256 | key, scopes, db_connection_ids?}`.
 * Throws an Error whose message names the file and the first bad entry.
 */
export function loadApiKeysFile(path: string): ApiKeyEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseApiKeysFile(text, path);
}

/** Parses the text of a key file; `source` names it in error messages. */
export function parseApiKeysFile(text: string, source = 'the key file'): ApiKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${source} must hold a JSON array of key entries`);
  const entries = parsed.map((raw, index) => {
    const label = `${source} entry ${index}${nameOf(raw)}`;
    try {
      return parseEntry(raw);
    } catch (error) {
      throw new Error(`${label}: ${(error as Error).message}`);
    }
  });
  const names = new Set<string>();
  const digests = new Set<string>();
  entries.forEach((entry, index) => {
    const label = `${source} entry ${index} ("${entry.principal.name}")`;
    if (names.has(entry.principal.name)) throw new Error(`${label}: the name is used by an earlier entry`);
    if (digests.has(entry.digest.toString('hex'))) throw new Error(`${label}: the key is used by an earlier entry`);
    names.add(entry.principal.name);
    digests.add(entry.digest.toString('hex'));
  });
  return entries;
}

function nameOf(raw: unknown): string {
  const name = (raw as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? ` ("${name.slice(0, 128)}")` : '';
}

function parseEntry(raw: unknown): ApiKeyEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('must be an object');
  const entry = raw as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((field) => !ENTRY_FIELDS.has(field));
  if (unknown.length > 0) throw new Error(`unknown field ${unknown.map((f) => JSON.stringify(f)).join(', ')}`);
  if ((entry.sha256 === undefined) === (entry.key === undefined)) throw new Error('needs exactly one of "sha256" and "key"');
  let digest: Buffer;
  let consoleCookieDigest: Buffer | undefined;
  if (entry.sha256 !== undefined) {
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.sha256)) {
      throw new Error('"sha256" must be the 64-character hex SHA-256 digest of the key');
    }
    digest = Buffer.from(entry.sha256, 'hex');
  } else {
    if (typeof entry.key !== 'string' || entry.key.length < MIN_KEY_LENGTH) {
      throw new Error(`"key" must be a string of at least ${MIN_KEY_LENGTH} characters`);
    }
    ({ digest, consoleCookieDigest } = digestsOf(entry.key));
  }
  try {
    const principal = validatePrincipal({ name: entry.name, scopes: entry.scopes, dbConnectionIds: entry.db_connection_ids });
    return consoleCookieDigest ? { digest, principal, consoleCookieDigest } : { digest, principal };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new Error(error.issues.map((issue) => `"${wireName(issue.path)}" ${issue.message}`).join('; '));
  }
}

const wireName = (path: string) => (path === 'dbConnectionIds' ? 'db_connection_ids' : path);

/** What the auth middleware and the console login ask of the accepted keys. */
export interface ApiKeySource {
  /** The principal of `key`, or `undefined`; constant time. */
  principalFor(key: string): Principal | undefined;
  /** The principal whose console login cookie this is, or `undefined`; constant time. */
  principalForConsoleCookie(cookie: string): Principal | undefined;
  /** The principal of `key` for a console login, after which its cookie is accepted. */
  consoleLogin(key: string): Principal | undefined;
  /** How many keys are accepted. */
  readonly size: number;
}

// Compared in place of an entry whose cookie is not known yet, so every entry costs the same.
const NO_COOKIE = Buffer.alloc(32);

/**
 * The keys a server accepts, replaceable while it runs (a reloaded key file). Requests already
 * authenticated keep the principal they started with.
 */
export class ApiKeyRing implements ApiKeySource {
  private entries: readonly ApiKeyEntry[];
  // Cookie digests learned at console logins with keys stored only as digests: the server cannot
  // derive the cookie without the key. At most one per entry (keyed by the key's digest); lost on
  // restart, when such a console logs in again.
  private readonly learnedCookies = new Map<string, Buffer>();

  constructor(entries: readonly ApiKeyEntry[]) {
    this.entries = entries;
  }

  /** Accepts exactly `entries` from now on; learned console logins of kept keys stay valid. */
  replace(entries: readonly ApiKeyEntry[]): void {
    this.entries = entries;
    const kept = new Set(entries.map((entry) => entry.digest.toString('hex')));
    for (const digest of this.learnedCookies.keys()) if (!kept.has(digest)) this.learnedCookies.delete(digest);
  }

  /** How many keys are accepted. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * The principal of `key`, or `undefined`. Digests have equal length, so `timingSafeEqual`
   * applies, and every entry is compared, match or not: the time says nothing about the key.
   */
  principalFor(key: string): Principal | undefined {
    return this.entryFor(key)?.principal;
  }

  principalForConsoleCookie(cookie: string): Principal | undefined {
    const candidate = digestOf(cookie);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      const known = entry.consoleCookieDigest ?? this.learnedCookies.get(entry.digest.toString('hex'));
      if (timingSafeEqual(candidate, known ?? NO_COOKIE) && known && !found) found = entry.principal;
    }
    return found;
  }

  consoleLogin(key: string): Principal | undefined {
    const entry = this.entryFor(key);
    if (entry && !entry.consoleCookieDigest) {
      this.learnedCookies.set(entry.digest.toString('hex'), digestOf(consoleCookieValue(key)));
    }
    return entry?.principal;
  }

  private entryFor(key: string): ApiKeyEntry | undefined {
    const candidate = digestOf(key);
    let found: ApiKeyEntry | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(candidate, entry.digest) && !found) found = entry;
    }
    return found;
  }
}

/**
 * Several key sources as one: each is asked every time, so which one holds a key does not show
 * in the time taken; the first answer wins.
 */
export function anyKeySource(sources: readonly ApiKeySource[]): ApiKeySource {
  const first = (answers: (Principal | undefined)[]) => answers.find((answer) => answer !== undefined);
  return {
    principalFor: (key) => first(sources.map((source) => source.principalFor(key))),
    principalForConsoleCookie: (cookie) => first(sources.map((source) => source.principalForConsoleCookie(cookie))),
    consoleLogin: (key) => first(sources.map((source) => source.consoleLogin(key))),
    get size() {
      return sources.reduce((sum, source) => sum + source.size, 0);
    },
  };
}
