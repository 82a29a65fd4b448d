import type {
  AgentSession,
  DeleteCondition,
  DeleteOutcome,
  EndRunOutcome,
  EndRunRequest,
  IdempotencyClaim,
  IdempotencyRecord,
  InsertOnceOutcome,
  SessionEventListener,
  SessionPatch,
  SessionRunStore,
  SessionStore,
  StartRunOutcome,
  StartRunRequest,
  StoreSubscribeOptions,
  Unsubscribe,
  StoreListQuery,
  StoreListResult,
  StoreSearchFilter,
  StoreSearchQuery,
  StoreSearchResult,
  UpdateCondition,
  UpdateOutcome,
} from '../../domain/index.js';
import { DEFAULT_EVENT_STREAM_MAX_LENGTH } from './defaults.js';
import { closeClient, createClient, READY_WAIT_MS, toStoreError, toWriteError, whenReady, type RedisClient } from './connection.js';
import { RedisEventFeed } from './event-feed.js';
import { checkIndexedMetadataKeys, metadataTokensOf } from '../../domain/search-index.js';
import { SessionKeys } from './keys.js';
import { DEFAULT_SEARCH_SCAN_BUDGET, RedisSearch } from './redis-search.js';
import { defineSessionScripts, type SessionScripts } from './scripts/index.js';
import { CorruptSessionError, fromFieldValues, fromHash, fromHashFields, toHashFields } from './session-hash.js';
import { warnUnlessNoEviction } from './eviction-check.js';

/** Where a `RedisSessionStore` keeps sessions: a URL to connect to, or a client the host owns. */
export type RedisSessionStoreOptions = ({ url: string; client?: never } | { client: RedisClient; url?: never }) & {
  /** Starts every key, as the hash tag `{prefix}`; defaults to `agent-sessions`. No `{` or `}`. */
  prefix?: string;
  /** About how many change events the stream `{prefix}:events` keeps (default 10,000). */
  eventStreamMaxLength?: number;
  /**
   * Live events held for one subscriber while it replays a resume (default 1,000); past it the
   * replay reads them from the stream instead, so memory stays bounded whatever the write rate.
   */
  replayBacklogLimit?: number;
  /** Top-level metadata keys that `search` and `count` may filter on (default none). */
  indexedMetadataKeys?: readonly string[];
  /**
   * Most search index entries one search script examines before handing back to the client
   * (default 1,000), so a search with checks its index does not cover never blocks Redis long.
   */
  searchScanBudget?: number;
  /** Gets warnings about the Redis setup and about stored data the store will not serve (default: console). */
  logger?: RedisStoreLogger;
};

/** Where a `RedisSessionStore` reports what an operator should look at; a pino logger fits. */
export interface RedisStoreLogger {
  warn(message: string): void;
}

export { DEFAULT_EVENT_STREAM_MAX_LENGTH };

type Reply = [string, ...string[][]];

/**
 * Sessions in Redis (standalone or Cluster): one hash per session plus sorted-set indexes for
 * listing. Every call is one round trip; every write is one Lua script, so it is atomic across
 * all processes sharing the Redis. Unreachable Redis makes calls fail fast with
 * `StoreUnavailableError`; the store reconnects by itself. Every write script also appends its
 * change event to one stream, so events are totally ordered across processes and cannot be
 * separated from their write. See docs/redis-store.md and docs/tasks-and-events.md.
 */
export class RedisSessionStore implements SessionStore, SessionRunStore {
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly keys: SessionKeys;
  private readonly scripts: SessionScripts;
  private readonly maxEvents: string;
  private readonly feed: RedisEventFeed;
  private readonly searcher: RedisSearch;
  readonly indexedMetadataKeys: readonly string[];
  private readonly logger: RedisStoreLogger;
  private waitingForConnection?: Promise<void>;

  constructor(options: RedisSessionStoreOptions) {
    this.keys = new SessionKeys(options.prefix ?? 'agent-sessions');
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createClient(options.url as string);
    this.scripts = defineSessionScripts(this.client);
    const maxEvents = options.eventStreamMaxLength ?? DEFAULT_EVENT_STREAM_MAX_LENGTH;
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) {
      throw new TypeError(`eventStreamMaxLength must be a positive integer, got ${maxEvents}.`);
    }
    this.maxEvents = String(maxEvents);
    this.feed = new RedisEventFeed(this.client, this.keys.events, (command) => this.run(command), options.replayBacklogLimit);
    this.indexedMetadataKeys = checkIndexedMetadataKeys(options.indexedMetadataKeys);
    const budget = options.searchScanBudget ?? DEFAULT_SEARCH_SCAN_BUDGET;
    if (!Number.isSafeInteger(budget) || budget < 1) throw new TypeError(`searchScanBudget must be a positive integer, got ${budget}.`);
    this.logger = options.logger ?? { warn: (message) => console.warn(message) };
    this.searcher = new RedisSearch(this.scripts, this.keys, this.indexedMetadataKeys, (command) => this.run(command), (row) => this.decodeFound(row), budget);
    warnUnlessNoEviction(this.client, this.logger);
  }

  async insert(session: AgentSession): Promise<boolean> {
    const { id, dbConnectionId, status, createdAt } = session;
    const keys = [this.keys.session(id), ...this.keys.indexesOf(dbConnectionId, status), this.keys.events];
    const inserted = await this.run(
      () =>
        this.scripts.agentSessionsInsert(
          ...keys,
          id,
          String(Date.parse(createdAt)),
          this.maxEvents,
          this.keys.indexBase,
          ...toHashFields(session),
          'searchTokens',
          this.tokensOf(session.metadata),
        ),
      true,
    );
    return inserted === 1;
  }

  async insertOnce(session: AgentSession, claim: IdempotencyClaim): Promise<InsertOnceOutcome> {
    const { id, dbConnectionId, status, createdAt } = session;
    const keys = [this.keys.session(id), ...this.keys.indexesOf(dbConnectionId, status), this.keys.events, this.keys.idempotency(claim.key)];
    const [outcome, record] = (await this.run(() =>
      this.scripts.agentSessionsInsertOnce(
        ...keys,
        id,
        String(Date.parse(createdAt)),
        this.maxEvents,
        String(claim.ttlMs),
        JSON.stringify(claim.record),
        this.keys.indexBase,
        ...toHashFields(session),
        'searchTokens',
        this.tokensOf(session.metadata),
      ),
    )) as [string, string?];
    if (outcome === 'replayed') return { outcome, record: JSON.parse(record as string) as IdempotencyRecord };
    return { outcome: outcome as 'inserted' | 'id_taken' };
  }

  async get(id: string): Promise<AgentSession | undefined> {
    const hash = await this.run(() => this.client.hgetall(this.keys.session(id)));
    return Object.keys(hash).length === 0 ? undefined : fromHash(hash, id);
  }

  async list(query: StoreListQuery): Promise<StoreListResult> {
    const index = this.keys.index(query.dbConnectionId, query.status);
    const [total, page] = (await this.run(() =>
      this.scripts.agentSessionsList(index, this.keys.sessionBase, String(query.offset), String(query.limit)),
    )) as [number, string];
    const sessions: AgentSession[] = [];
    let gone = 0;
    for (const row of JSON.parse(page) as (string | number | false)[][]) {
      const session = this.decodeListed(row, index);
      if (session) sessions.push(session);
      else if (row[0] === false && row[2] === 0) gone++;
    }
    return { total: total - gone, sessions };
  }

  search(query: StoreSearchQuery): Promise<StoreSearchResult> {
    return this.searcher.search(query);
  }

  count(filter: StoreSearchFilter): Promise<number> {
    return this.searcher.count(filter);
  }

  /**
   * Rewrites every session's search entries for this store's `indexedMetadataKeys`: run it once
   * after changing them, or after upgrading from a version without search (sessions written since
   * are indexed already). Safe while the store is in use: each session is one atomic script,
   * skipped and read again if it changed meanwhile. Resolves with how many sessions it visited.
   */
  async reindexSearch(): Promise<number> {
    let cursor = '0';
    let visited = 0;
    do {
      const [next, flat] = await this.run(() => this.client.zscan(this.keys.index(), cursor, 'COUNT', 500));
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i];
        for (let attempt = 0; attempt < 5; attempt++) {
          const metadata = await this.run(() => this.client.hget(this.keys.session(id), 'metadata'));
          if (metadata === null) break;
          const tokens = this.tokensOf(JSON.parse(metadata) as AgentSession['metadata']);
          const done = await this.run(() => this.scripts.agentSessionsReindex(this.keys.session(id), this.keys.indexBase, id, metadata, tokens));
          if (done !== -1) break;
        }
        visited++;
      }
    } while (cursor !== '0');
    return visited;
  }

  async update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome> {
    const { allowedFromStatuses } = condition;
    const [outcome, current, was] = await this.statusScript(
      this.scripts.agentSessionsUpdate,
      id,
      optional(condition.expectedVersion),
      String(condition.now),
      patch.title === undefined ? '' : JSON.stringify(patch.title),
      patch.status ?? '',
      patch.metadata === undefined ? '' : JSON.stringify(patch.metadata),
      allowedFromStatuses ? '1' : '0',
      this.maxEvents,
      optional(condition.runLeaseMs),
      patch.metadata === undefined ? '' : this.tokensOf(patch.metadata),
      ...(allowedFromStatuses ?? []),
    );
    if (outcome === 'not_found') return { outcome };
    // 'updated' replies with the new hash and the old values of the fields it changed (see the script).
    if (outcome === 'updated') return changedSessions(outcome, () => withFieldsPutBack(current, was), current);
    return { outcome: outcome as 'unchanged' | 'version_conflict' | 'status_conflict', session: fromHashFields(current) };
  }

  async delete(id: string, condition: DeleteCondition = {}): Promise<DeleteOutcome> {
    const [outcome, current] = (await this.run(() =>
      this.scripts.agentSessionsDelete(
        this.keys.session(id),
        this.keys.index(),
        ...this.runKeys(),
        this.keys.indexBase,
        id,
        optional(condition.expectedVersion),
        this.maxEvents,
        condition.reason ?? '',
      ),
      true,
    )) as Reply;
    if (outcome === 'not_found') return { outcome };
    return { outcome: outcome as 'deleted' | 'version_conflict', session: fromHashFields(current) };
  }

  /** Events from the shared stream, through one blocking reader per store (see `RedisEventFeed`). */
  subscribe(listener: SessionEventListener, options?: StoreSubscribeOptions): Promise<Unsubscribe> {
    return this.feed.subscribe(listener, options);
  }

  /** Event listeners subscribed to this store right now (for leak checks). */
  get listenerCount(): number {
    return this.feed.listenerCount;
  }

  async startRun(id: string, request: StartRunRequest): Promise<StartRunOutcome> {
    const { token, leaseMs, now } = request;
    const [outcome, current, next] = await this.statusScript(
      this.scripts.agentSessionsStartRun,
      id,
      token,
      String(leaseMs),
      String(now),
      this.maxEvents,
    );
    if (outcome === 'not_found') return { outcome };
    if (outcome === 'started') return changedSessions(outcome, current, next);
    return { outcome: 'status_conflict', session: fromHashFields(current) };
  }

  async renewRun(id: string, token: string, leaseMs: number): Promise<boolean> {
    const renewed = await this.run(() => this.scripts.agentSessionsRenewRun(this.keys.runs, this.keys.leases, id, token, String(leaseMs)), true);
    return renewed === 1;
  }

  async endRun(id: string, request: EndRunRequest): Promise<EndRunOutcome> {
    const [outcome, current, next] = await this.statusScript(
      this.scripts.agentSessionsEndRun,
      id,
      optional(request.expectedVersion),
      request.token ?? '',
      request.expired ? '1' : '',
      request.status,
      request.metadata === undefined ? '' : JSON.stringify(request.metadata),
      String(request.now),
      this.maxEvents,
      request.metadata === undefined ? '' : this.tokensOf(request.metadata),
    );
    if (outcome === 'ended') return changedSessions(outcome, current, next);
    if (outcome === 'version_conflict') return { outcome, session: fromHashFields(current) };
    return { outcome: outcome as 'not_found' | 'not_holder' };
  }

  async expiredRuns(limit: number): Promise<string[]> {
    return (await this.run(() => this.scripts.agentSessionsExpiredRuns(this.keys.leases, String(limit)))) as string[];
  }

  /**
   * A page row as a session, or `undefined` for one this store will not serve: a hash that is gone
   * (evicted or deleted by hand: its index entries are dropped, without delaying the page) or a
   * corrupt one (logged; every other session of the page is still served).
   */
  private decodeListed(row: (string | number | false)[], index: string): AgentSession | undefined {
    if (row[0] === false && row.length === 3) {
      const id = String(row[1]);
      if (row[2] === 0) {
        this.run(() => this.scripts.agentSessionsRepairIndex(this.keys.session(id), this.keys.index(), index, id), true).catch(() => {});
      } else {
        this.logger.warn(new CorruptSessionError(id, 'id', 'does not match its key').message);
      }
      return undefined;
    }
    return this.decodeFound(row as (string | false)[]);
  }

  /** A search row as a session, or `undefined` (logged) for a corrupt hash, as a listed one. */
  private decodeFound(row: (string | false)[]): AgentSession | undefined {
    try {
      return fromFieldValues(row);
    } catch (error) {
      if (!(error instanceof CorruptSessionError)) throw error;
      this.logger.warn(error.message);
      return undefined;
    }
  }

  /** Redis's clock (TIME), in ms. */
  async now(): Promise<number> {
    const [seconds, micros] = await this.run(() => this.client.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** One PING: resolves while Redis answers, rejects with `StoreUnavailableError` when it does not. */
  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  /** Quits the connection if the store opened it; a client passed in is left to its owner. */
  async close(): Promise<void> {
    this.feed.close();
    if (this.ownsClient) await closeClient(this.client);
  }

  /**
   * Runs a script that may change a session's status: KEYS are the session hash, the event
   * stream, run tokens and leases; ARGV starts with the index base and the session id.
   */
  private async statusScript(script: (...keysThenArgs: string[]) => Promise<unknown>, id: string, ...args: string[]): Promise<Reply> {
    const keys = [this.keys.session(id), ...this.runKeys()];
    return (await this.run(() => script.call(this.scripts, ...keys, this.keys.indexBase, id, ...args), true)) as Reply;
  }

  /** The search tokens of metadata, as the scripts keep them in the session hash. */
  private tokensOf(metadata: AgentSession['metadata']): string {
    return metadataTokensOf(metadata, this.indexedMetadataKeys).join(' ');
  }

  /** The keys every status-changing script touches besides the session hash. */
  private runKeys(): [string, string, string] {
    return [this.keys.events, this.keys.runs, this.keys.leases];
  }

  /**
   * Runs one command once the connection is ready (waiting a bounded time), mapping errors. A
   * `write` that fails after it was handed to the connection has an unknown outcome.
   */
  private async run<T>(command: () => Promise<T>, write = false): Promise<T> {
    try {
      await this.connected();
    } catch (error) {
      throw toStoreError(error);
    }
    try {
      return await command();
    } catch (error) {
      throw write ? toWriteError(error) : toStoreError(error);
    }
  }

  // Concurrent calls share one wait, so an outage does not pile up 'ready' listeners.
  private connected(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    this.waitingForConnection ??= whenReady(this.client, READY_WAIT_MS).finally(() => {
      this.waitingForConnection = undefined;
    });
    return this.waitingForConnection;
  }
}

function optional(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

/**
 * The session after a change and, decoded only if someone reads it, the session before: the port
 * promises `previous`, but the manager never reads it, and decoding a session was the largest
 * share of a pause's client CPU.
 */
function changedSessions<Outcome extends string>(
  outcome: Outcome,
  before: readonly string[] | (() => readonly string[]),
  after: readonly string[],
): { outcome: Outcome; session: AgentSession; previous: AgentSession } {
  let previous: AgentSession | undefined;
  // A getter, not a value: spreading or copying this object would decode `previous` after all.
  return {
    outcome,
    session: fromHashFields(after),
    get previous() {
      return (previous ??= fromHashFields(typeof before === 'function' ? before() : before));
    },
  };
}

/** The flat field/value list `fields` with the values of `was` (a flat field/value list) put back. */
function withFieldsPutBack(fields: readonly string[], was: readonly string[]): string[] {
  const old = new Map<string, string>();
  for (let i = 0; i < was.length; i += 2) old.set(was[i], was[i + 1]);
  return fields.map((value, i) => (i % 2 === 1 ? (old.get(fields[i - 1]) ?? value) : value));
}
