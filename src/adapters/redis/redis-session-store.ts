import type {
  AgentSession,
  DeleteOutcome,
  SessionPatch,
  SessionStore,
  StoreListQuery,
  StoreListResult,
  UpdateCondition,
  UpdateOutcome,
} from '../../domain/index.js';
import { closeClient, createClient, READY_WAIT_MS, toStoreError, whenReady, type RedisClient } from './connection.js';
import { SessionKeys } from './keys.js';
import { defineSessionScripts, type SessionScripts } from './scripts/index.js';
import { fromFieldValues, fromHash, fromHashFields, toHashFields } from './session-hash.js';

/** Where a `RedisSessionStore` keeps sessions: a URL to connect to, or a client the host owns. */
export type RedisSessionStoreOptions = ({ url: string; client?: never } | { client: RedisClient; url?: never }) & {
  /** Starts every key, as the hash tag `{prefix}`; defaults to `agent-sessions`. No `{` or `}`. */
  prefix?: string;
};

type Reply = [string, ...string[][]];

/**
 * Sessions in Redis (standalone or Cluster): one hash per session plus sorted-set indexes for
 * listing. Every call is one round trip; every write is one Lua script, so it is atomic across
 * all processes sharing the Redis. Unreachable Redis makes calls fail fast with
 * `StoreUnavailableError`; the store reconnects by itself. See docs/redis-store.md.
 */
export class RedisSessionStore implements SessionStore {
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly keys: SessionKeys;
  private readonly scripts: SessionScripts;
  private waitingForConnection?: Promise<void>;

  constructor(options: RedisSessionStoreOptions) {
    this.keys = new SessionKeys(options.prefix ?? 'agent-sessions');
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? createClient(options.url as string);
    this.scripts = defineSessionScripts(this.client);
  }

  async insert(session: AgentSession): Promise<boolean> {
    const { id, dbConnectionId, status, createdAt } = session;
    const keys = [this.keys.session(id), ...this.keys.indexesOf(dbConnectionId, status)];
    const inserted = await this.run(() =>
      this.scripts.agentSessionsInsert(...keys, id, String(Date.parse(createdAt)), ...toHashFields(session)),
    );
    return inserted === 1;
  }

  async get(id: string): Promise<AgentSession | undefined> {
    const hash = await this.run(() => this.client.hgetall(this.keys.session(id)));
    return Object.keys(hash).length === 0 ? undefined : fromHash(hash);
  }

  async list(query: StoreListQuery): Promise<StoreListResult> {
    const index = this.keys.index(query.dbConnectionId, query.status);
    const [total, page] = (await this.run(() =>
      this.scripts.agentSessionsList(index, this.keys.sessionBase, String(query.offset), String(query.limit)),
    )) as [number, string];
    return { total, sessions: (JSON.parse(page) as string[][]).map(fromFieldValues) };
  }

  async update(id: string, patch: SessionPatch, condition: UpdateCondition): Promise<UpdateOutcome> {
    const { allowedFromStatuses } = condition;
    const [outcome, current, next] = (await this.run(() =>
      this.scripts.agentSessionsUpdate(
        this.keys.session(id),
        this.keys.indexBase,
        id,
        optional(condition.expectedVersion),
        String(condition.now),
        patch.title === undefined ? '' : JSON.stringify(patch.title),
        patch.status ?? '',
        patch.metadata === undefined ? '' : JSON.stringify(patch.metadata),
        allowedFromStatuses ? '1' : '0',
        ...(allowedFromStatuses ?? []),
      ),
    )) as Reply;
    if (outcome === 'not_found') return { outcome };
    if (outcome === 'updated') return { outcome, session: fromHashFields(next), previous: fromHashFields(current) };
    return { outcome: outcome as 'unchanged' | 'version_conflict' | 'status_conflict', session: fromHashFields(current) };
  }

  async delete(id: string, condition: { expectedVersion?: number } = {}): Promise<DeleteOutcome> {
    const [outcome, current] = (await this.run(() =>
      this.scripts.agentSessionsDelete(
        this.keys.session(id),
        this.keys.index(),
        this.keys.indexBase,
        id,
        optional(condition.expectedVersion),
      ),
    )) as Reply;
    if (outcome === 'not_found') return { outcome };
    return { outcome: outcome as 'deleted' | 'version_conflict', session: fromHashFields(current) };
  }

  /** One PING: resolves while Redis answers, rejects with `StoreUnavailableError` when it does not. */
  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  /** Quits the connection if the store opened it; a client passed in is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsClient) await closeClient(this.client);
  }

  /** Runs one command once the connection is ready (waiting a bounded time), mapping errors. */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      await this.connected();
      return await command();
    } catch (error) {
      throw toStoreError(error);
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
