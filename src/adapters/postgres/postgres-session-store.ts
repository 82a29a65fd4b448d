import { createHash } from 'node:crypto';
import pg from 'pg';
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
  StoreListQuery,
  StoreListResult,
  StoreSearchFilter,
  StoreSearchQuery,
  StoreSearchResult,
  StoreSubscribeOptions,
  Unsubscribe,
  UpdateCondition,
  UpdateOutcome,
} from '../../domain/index.js';
import { checkIndexedMetadataKeys } from '../../domain/search-index.js';
import { checkSchemaName, createPool, toStoreError, toWriteError, type PostgresPool } from './connection.js';
import { DEFAULT_EVENT_RETENTION, DEFAULT_POOL_SIZE, DEFAULT_SCHEMA } from './defaults.js';
import { ChangeAnnouncer } from './change-announcer.js';
import { PostgresEventFeed } from './event-feed.js';
import { listStatement } from './list-query.js';
import { eventChannel, migrate } from './migrate.js';
import { ensureMetadataIndexes } from './search-indexes.js';
import { countStatement, searchStatement } from './search-query.js';
import { eventStatements } from './session-events.js';
import { fromRow, sessionsFromJson, toRowValues, type SessionRow } from './session-row.js';
import { sessionStatements, type SessionStatements } from './statements.js';

/** Where a `PostgresSessionStore` keeps sessions: a URL to connect to, or a pool the host owns. */
export type PostgresSessionStoreOptions = ({ url: string; pool?: never } | { pool: PostgresPool; url?: never }) & {
  /** The schema holding the store's tables; default `agent_sessions`. a-z, 0-9 and _ only. */
  schema?: string;
  /** Connections of the pool the store opens for `url` (default 10). */
  poolSize?: number;
  /**
   * Top-level metadata keys that `search` and `count` may filter on (default none). The store
   * makes an index set per key when it starts (see docs/postgres-store.md).
   */
  indexedMetadataKeys?: readonly string[];
  /** About how many change events the events table keeps (default 10,000). */
  eventRetention?: number;
  /**
   * Apply pending migrations before the first call (default true). With false, run `migrate()`
   * (or `npx agent-sessions migrate`) yourself before using the store.
   */
  migrate?: boolean;
};

export { DEFAULT_EVENT_RETENTION };

/** Statements that change data: a failure after sending one leaves its outcome unknown. */
const WRITES = new Set<keyof SessionStatements>(['insert', 'insertOnce', 'update', 'delete', 'startRun', 'renewRun', 'endRun']);

/** Expired idempotency keys are deleted after every this many claims, ... */
const IDEMPOTENCY_TRIM_EVERY = 100;
/** ... at most this many at a time, so the table stays within about one TTL's claims. */
const IDEMPOTENCY_TRIM_BATCH = 1000;

/** A page: the exact total and the sessions as `sessionsJsonArray` text. */
interface PageRow {
  total: number;
  sessions: string;
}

interface WriteAnswer {
  current: SessionRow;
  changed: SessionRow | null;
}

/**
 * Sessions in PostgreSQL: one row per session with an index per list shape, runs beside them,
 * and an events table written in the same transaction as each change (by the insert statement
 * or a trigger). Every call is one statement (one round trip; writes that recorded an event are
 * announced afterwards by one shared NOTIFY per burst); every write locks its row and puts its
 * condition in the WHERE, so it is atomic across all processes sharing the database. Leases are judged by the database's
 * clock. Unreachable PostgreSQL makes calls fail within a few seconds with
 * `StoreUnavailableError`; the pool reconnects by itself. See docs/postgres-store.md.
 */
export class PostgresSessionStore implements SessionStore, SessionRunStore {
  private readonly pool: PostgresPool;
  private readonly ownsPool: boolean;
  private readonly schema: string;
  private readonly sql: SessionStatements;
  private readonly trimSql: string;
  private readonly names: string;
  readonly indexedMetadataKeys: readonly string[];
  private readonly feed: PostgresEventFeed;
  private readonly announcer: ChangeAnnouncer;
  private readonly eventRetention: number;
  private readonly trimEvery: number;
  private writesSinceTrim = 0;
  private claimsSinceTrim = 0;
  private migrated?: Promise<unknown>;

  constructor(options: PostgresSessionStoreOptions) {
    this.schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
    const retention = options.eventRetention ?? DEFAULT_EVENT_RETENTION;
    if (!Number.isSafeInteger(retention) || retention < 1) {
      throw new TypeError(`eventRetention must be a positive integer, got ${retention}.`);
    }
    this.eventRetention = retention;
    this.indexedMetadataKeys = checkIndexedMetadataKeys(options.indexedMetadataKeys);
    this.trimEvery = Math.max(100, Math.floor(retention / 10));
    this.ownsPool = options.pool === undefined;
    this.pool = options.pool ?? createPool(options.url as string, options.poolSize ?? DEFAULT_POOL_SIZE);
    const quoted = `"${this.schema}"`;
    this.sql = sessionStatements(quoted);
    this.trimSql = eventStatements(quoted).trim;
    // Prepared statement names, per schema (two stores may share a pool); hashed to stay short.
    this.names = `as_${createHash('sha256').update(this.schema).digest('hex').slice(0, 10)}`;
    if (options.migrate === false) this.migrated = Promise.resolve();
    const channel = eventChannel(this.schema);
    this.feed = new PostgresEventFeed(this.pool, quoted, channel, (command) => this.run(command));
    this.announcer = new ChangeAnnouncer(() => this.pool.query({ name: `${this.names}_announce`, text: `SELECT pg_notify($1, '')`, values: [channel] }));
  }

  /** Applies pending migrations and makes missing indexes of indexed metadata keys (under an advisory lock); resolves with the versions applied. */
  async migrate(): Promise<number[]> {
    try {
      const applied = await migrate(this.pool, this.schema);
      await ensureMetadataIndexes(this.pool, this.schema, this.indexedMetadataKeys);
      return applied;
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async insert(session: AgentSession): Promise<boolean> {
    const { rows } = await this.query<{ inserted: number }>('insert', toRowValues(session));
    const inserted = rows[0].inserted === 1;
    if (inserted) this.wroteEvent();
    return inserted;
  }

  /**
   * Inserts `session` and claims `claim.key` for `claim.ttlMs` (by the database's clock) in one
   * statement, unless an unexpired record holds the key. Expired keys are deleted in batches as
   * creates go on, so the table holds about the keys of one TTL's creates.
   */
  async insertOnce(session: AgentSession, claim: IdempotencyClaim): Promise<InsertOnceOutcome> {
    const record = JSON.stringify(claim.record);
    const { rows } = await this.query<{ inserted: boolean; claimed: boolean; record: IdempotencyRecord | null }>('insertOnce', [
      ...toRowValues(session),
      claim.key,
      record,
      claim.ttlMs,
    ]);
    const answer = rows[0];
    if (answer.inserted) {
      this.wroteEvent();
      this.claimedKey();
      return { outcome: 'inserted' };
    }
    if (answer.claimed) {
      // The id went in concurrently after the statement looked: give the key back.
      await this.query('releaseClaim', [claim.key, record]);
      return { outcome: 'id_taken' };
    }
    // A concurrent claim this statement waited for committed after its snapshot: read it now.
    const earlier = answer.record ?? (await this.query<{ record: IdempotencyRecord }>('idempotencyRecord', [claim.key])).rows[0]?.record;
    return earlier ? { outcome: 'replayed', record: earlier } : { outcome: 'id_taken' };
  }

  async get(id: string): Promise<AgentSession | undefined> {
    const { rows } = await this.query<SessionRow>('get', [id]);
    return rows.length === 0 ? undefined : fromRow(rows[0]);
  }

  async list(query: StoreListQuery): Promise<StoreListResult> {
    const { text, values, shape } = listStatement(`"${this.schema}"`, query);
    const { rows } = await this.run(() => this.pool.query<PageRow>({ name: `${this.names}_list_${shape}`, text, values }));
    return { total: rows[0].total, sessions: sessionsFromJson(rows[0].sessions) };
  }

  async update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome> {
    const { expectedVersion, allowedFromStatuses } = condition;
    const { rows } = await this.query<WriteAnswer>('update', [
      id,
      expectedVersion ?? null,
      allowedFromStatuses ?? null,
      new Date(condition.now).toISOString(),
      patch.title !== undefined,
      patch.title ?? null,
      patch.status ?? null,
      patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
      patch.status === 'running' ? (condition.runLeaseMs ?? null) : null,
    ]);
    if (rows.length === 0) return { outcome: 'not_found' };
    const { current, changed } = rows[0];
    if (changed) return this.changed('updated', current, changed);
    const session = fromRow(current);
    if (expectedVersion !== undefined && session.version !== expectedVersion) return { outcome: 'version_conflict', session };
    if (allowedFromStatuses && patch.status !== undefined && !allowedFromStatuses.includes(session.status)) {
      return { outcome: 'status_conflict', session };
    }
    return { outcome: 'unchanged', session };
  }

  async delete(id: string, condition: DeleteCondition = {}): Promise<DeleteOutcome> {
    const { rows } = await this.query<{ current: SessionRow; removed: boolean }>('delete', [
      id,
      condition.expectedVersion ?? null,
      condition.reason ?? null,
    ]);
    if (rows.length === 0) return { outcome: 'not_found' };
    const session = fromRow(rows[0].current);
    if (!rows[0].removed) return { outcome: 'version_conflict', session };
    this.wroteEvent();
    return { outcome: 'deleted', session };
  }

  /** One statement: the page (one index range per status, merged) and the exact total. */
  async search(query: StoreSearchQuery): Promise<StoreSearchResult> {
    const { text, values } = searchStatement(`"${this.schema}"`, query, this.indexedMetadataKeys);
    const { rows } = await this.run(() => this.pool.query<PageRow>(text, values));
    const found = sessionsFromJson(rows[0].sessions);
    return {
      sessions: found.slice(0, query.limit),
      hasMore: found.length > query.limit,
      total: rows[0].total,
    };
  }

  async count(filter: StoreSearchFilter): Promise<number> {
    const { text, values } = countStatement(`"${this.schema}"`, filter, this.indexedMetadataKeys);
    const { rows } = await this.run(() => this.pool.query<{ total: number }>(text, values));
    return rows[0].total;
  }

  /** The database's clock in ms, so instances with skewed clocks judge retention alike. */
  async now(): Promise<number> {
    const { rows } = await this.query<{ now: number }>('now', []);
    return rows[0].now;
  }

  /** Events from the shared events table, through one reader per store (see `PostgresEventFeed`). */
  subscribe(listener: SessionEventListener, options?: StoreSubscribeOptions): Promise<Unsubscribe> {
    return this.ensureMigrated().then(() => this.feed.subscribe(listener, options));
  }

  /**
   * Sends now the NOTIFY that announces this store's committed writes to other instances, when
   * one is due, rather than after the few ms it waits for more writes (for tests and shutdown).
   */
  async flushAnnouncements(): Promise<void> {
    await this.announcer.flush();
  }

  /** Event listeners subscribed to this store right now (for leak checks). */
  get listenerCount(): number {
    return this.feed.listenerCount;
  }

  async startRun(id: string, request: StartRunRequest): Promise<StartRunOutcome> {
    const { rows } = await this.query<WriteAnswer>('startRun', [
      id,
      request.token,
      request.leaseMs,
      new Date(request.now).toISOString(),
    ]);
    if (rows.length === 0) return { outcome: 'not_found' };
    const { current, changed } = rows[0];
    if (changed) return this.changed('started', current, changed);
    return { outcome: 'status_conflict', session: fromRow(current) };
  }

  async renewRun(id: string, token: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.query('renewRun', [id, token, leaseMs]);
    return rowCount === 1;
  }

  async endRun(id: string, request: EndRunRequest): Promise<EndRunOutcome> {
    const { rows } = await this.query<WriteAnswer & { holds: boolean }>('endRun', [
      id,
      request.expectedVersion ?? null,
      request.token ?? null,
      request.token === undefined && request.expired === true,
      request.status,
      request.metadata === undefined ? null : JSON.stringify(request.metadata),
      new Date(request.now).toISOString(),
    ]);
    if (rows.length === 0) return { outcome: 'not_found' };
    const { current, changed, holds } = rows[0];
    if (changed) return this.changed('ended', current, changed);
    if (!holds || current.status !== 'running') return { outcome: 'not_holder' };
    return { outcome: 'version_conflict', session: fromRow(current) };
  }

  /** Sessions whose lease expired by the database's clock. */
  async expiredRuns(limit: number): Promise<string[]> {
    const { rows } = await this.query<{ session_id: string }>('expiredRuns', [limit]);
    return rows.map((row) => row.session_id);
  }

  /** One SELECT 1: resolves while PostgreSQL answers, rejects with `StoreUnavailableError` when not. */
  async ping(): Promise<void> {
    await this.query('ping', []);
  }

  /** Announces the last writes, then ends the pool if the store opened it; a pool passed in is left to its owner. */
  async close(): Promise<void> {
    this.feed.close();
    await this.flushAnnouncements();
    if (this.ownsPool) await this.pool.end().catch(() => {});
  }

  private changed<Outcome extends string>(outcome: Outcome, before: SessionRow, after: SessionRow) {
    this.wroteEvent();
    return { outcome, session: fromRow(after), previous: fromRow(before) };
  }

  /** Every claimed key counts towards the next deletion of expired keys. */
  private claimedKey(): void {
    if (++this.claimsSinceTrim < IDEMPOTENCY_TRIM_EVERY) return;
    this.claimsSinceTrim = 0;
    this.query('trimIdempotencyKeys', [IDEMPOTENCY_TRIM_BATCH]).catch(() => {});
  }

  /**
   * After every write that recorded an event: wakes this store's reader, announces the commit to
   * every instance's (see ChangeAnnouncer), and counts towards the next trim of the events table.
   */
  private wroteEvent(): void {
    this.feed.changed();
    this.announcer.changed();
    if (++this.writesSinceTrim < this.trimEvery) return;
    this.writesSinceTrim = 0;
    this.run(() => this.pool.query(this.trimSql, [this.eventRetention])).catch(() => {});
  }

  /** Runs one named (prepared) statement of `SessionStatements`. */
  private query<Row extends pg.QueryResultRow = pg.QueryResultRow>(name: keyof SessionStatements, values: unknown[]) {
    const config = { name: `${this.names}_${name}`, text: this.sql[name], values };
    if (!WRITES.has(name)) return this.run(() => this.pool.query<Row>(config));
    return this.run(async () => {
      // Connected first, so a failure to connect (nothing sent) tells apart from one after sending.
      const client = await this.pool.connect();
      // The error reaches the statement's promise; without a listener it would crash the process.
      const ignore = () => {};
      client.on('error', ignore);
      let broken: unknown;
      try {
        return await client.query<Row>(config);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError)) broken = error;
        throw toWriteError(error);
      } finally {
        // A connection that gave no answer is not reused: its statement may still be running.
        client.off('error', ignore);
        client.release(broken instanceof Error ? broken : undefined);
      }
    });
  }

  /** Runs one statement once the schema is current, mapping errors. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      await this.ensureMigrated();
      return await command();
    } catch (error) {
      throw toStoreError(error);
    }
  }

  // Once per store; a failure (database away) is forgotten so the next call tries again.
  private ensureMigrated(): Promise<unknown> {
    this.migrated ??= migrate(this.pool, this.schema).then(() => ensureMetadataIndexes(this.pool, this.schema, this.indexedMetadataKeys)).catch((error: unknown) => {
      this.migrated = undefined;
      throw toStoreError(error);
    });
    return this.migrated;
  }
}
