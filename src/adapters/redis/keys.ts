import type { SessionStatus } from '../../domain/index.js';

/**
 * The key layout. Every key starts with the hash tag `{prefix}`, so all of a store's keys live in
 * one Cluster slot and each script may touch any of them. Db connection ids always come last, and
 * the segment before them is fixed (`db:`, or `dbst:<status>:` where a status has no `:`), so an id
 * containing `:`, `{` or `}` can neither collide with another key nor move the hash tag (Redis takes
 * the tag from the FIRST `{...}` of a key, which is always the prefix).
 *
 *   {prefix}:s:<sessionId>                  hash: one session
 *   {prefix}:i:all                          sorted set: every session id, scored by createdAt ms
 *   {prefix}:i:db:<dbConnectionId>          the same, for one db connection
 *   {prefix}:i:st:<status>                  the same, for one status
 *   {prefix}:i:dbst:<status>:<dbConnectionId>  the same, for both
 *   {prefix}:events                         stream: change events, trimmed to about N entries
 *   {prefix}:runs                           hash: session id -> token of the run holding it
 *   {prefix}:leases                         sorted set: running session ids by lease expiry ms
 *   {prefix}:idem:<digest>                  string with a TTL: an idempotent create's record
 *
 * The scripts build the status and db index keys themselves from `indexBase`, with the Lua
 * twin of `index()` below (`INDEX_KEYS_LUA`), made from the same segments, so the format is
 * spelled here only.
 */
// The index name segments after `{prefix}:i:`; a db connection id always comes last.
const INDEX = { all: 'all', db: 'db:', status: 'st:', dbStatus: 'dbst:' } as const;

/**
 * Lua: the index keys of `index()` for a script, from the index base passed in ARGV:
 * statusIndex(base, status), dbIndex(base, db), dbStatusIndex(base, status, db).
 */
export const INDEX_KEYS_LUA = `
local function statusIndex(base, status)
  return base .. '${INDEX.status}' .. status
end
local function dbIndex(base, db)
  return base .. '${INDEX.db}' .. db
end
local function dbStatusIndex(base, status, db)
  return base .. '${INDEX.dbStatus}' .. status .. ':' .. db
end
`;

export class SessionKeys {
  /** Starts every session hash key; the list script appends the ids of an index to it. */
  readonly sessionBase: string;
  /** Starts every index key; the update and delete scripts append the rest. */
  readonly indexBase: string;
  /** The stream every write script appends its change event to. */
  readonly events: string;
  /** Run tokens by session id. */
  readonly runs: string;
  /** Run lease expiries, so the reaper finds expired ones without scanning. */
  readonly leases: string;
  /** Starts every idempotency record key. */
  private readonly idempotencyBase: string;

  constructor(prefix: string) {
    if (prefix === '' || /[{}]/.test(prefix)) {
      throw new TypeError(`A Redis key prefix must be non-empty and contain no '{' or '}', got '${prefix}'.`);
    }
    this.sessionBase = `{${prefix}}:s:`;
    this.indexBase = `{${prefix}}:i:`;
    this.events = `{${prefix}}:events`;
    this.runs = `{${prefix}}:runs`;
    this.leases = `{${prefix}}:leases`;
    this.idempotencyBase = `{${prefix}}:idem:`;
  }

  session(id: string): string {
    return this.sessionBase + id;
  }

  /** The record of an idempotent create; `digest` is the hex digest of scope and key. */
  idempotency(digest: string): string {
    return `${this.idempotencyBase}${digest}`;
  }

  /** The index that holds exactly the sessions matching these filters. */
  index(dbConnectionId?: string, status?: SessionStatus): string {
    if (dbConnectionId !== undefined && status !== undefined) return `${this.indexBase}${INDEX.dbStatus}${status}:${dbConnectionId}`;
    if (dbConnectionId !== undefined) return `${this.indexBase}${INDEX.db}${dbConnectionId}`;
    if (status !== undefined) return `${this.indexBase}${INDEX.status}${status}`;
    return `${this.indexBase}${INDEX.all}`;
  }

  /** The four indexes a session with these fields belongs to. */
  indexesOf(dbConnectionId: string, status: SessionStatus): string[] {
    return [this.index(), this.index(dbConnectionId), this.index(undefined, status), this.index(dbConnectionId, status)];
  }
}
