import { Cluster } from 'ioredis';
import type { SessionEvent, SessionEventListener, StoreSubscribeOptions, Unsubscribe } from '../../domain/index.js';
import { StoreUnavailableError } from '../../domain/index.js';
import type { RedisClient } from './connection.js';
import { isStreamId, streamIdAfter, toSessionEvent } from './stream-events.js';

/** How long one XREAD blocks; closing the feed cuts it short by dropping the connection. */
const BLOCK_MS = 5_000;
/** Entries read per XREAD. */
const BATCH = 500;
/** Pause before reading again after a failed read (Redis away): the loop resumes at its cursor. */
const RETRY_MS = 200;

type StreamReply = Array<[string, Array<[string, string[]]>]> | null;

interface Subscriber {
  listener: SessionEventListener;
  /** Id of the last event handed to it; later deliveries must come after it. */
  lastId?: string;
  /** While catching up with `after`: live events wait here. */
  backlog?: SessionEvent[];
}

/**
 * The Redis store's event subscriptions: one XREAD BLOCK loop per store, on a connection of its
 * own (a blocked XREAD holds its connection), fanning entries out to local listeners. The loop
 * starts with the first listener and stops, closing its connection, when the last one leaves.
 * A listener resuming with `after` first gets the entries it missed (XRANGE), then live ones.
 */
export class RedisEventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private reader?: RedisClient;
  private cursor?: string;
  private starting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly stream: string,
    /** Runs a command on the store's main connection, mapping errors like every store call. */
    private readonly run: <T>(command: () => Promise<T>) => Promise<T>,
  ) {}

  async subscribe(listener: SessionEventListener, options: StoreSubscribeOptions = {}): Promise<Unsubscribe> {
    if (this.closed) throw new StoreUnavailableError('The session store is closed.');
    const after = isStreamId(options.after) ? options.after : undefined;
    const subscriber: Subscriber = { listener, lastId: after, backlog: after ? [] : undefined };
    this.subscribers.add(subscriber);
    const unsubscribe = () => {
      if (this.subscribers.delete(subscriber) && this.subscribers.size === 0) this.stopReading();
    };
    try {
      await this.startReading();
      if (after) await this.catchUp(subscriber, after);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** Listeners subscribed right now. */
  get listenerCount(): number {
    return this.subscribers.size;
  }

  close(): void {
    this.closed = true;
    this.subscribers.clear();
    this.stopReading();
  }

  // The cursor starts at the stream's last entry, so every write after this resolves is read.
  private startReading(): Promise<void> {
    if (this.reader) return this.starting ?? Promise.resolve();
    const reader = duplicateForBlocking(this.client);
    this.reader = reader;
    this.starting = this.run(() => this.client.xrevrange(this.stream, '+', '-', 'COUNT', 1)).then(
      (last) => {
        this.starting = undefined;
        if (this.reader !== reader) return;
        this.cursor = last[0]?.[0] ?? '0-0';
        void this.readLoop(reader);
      },
      (error: unknown) => {
        this.starting = undefined;
        if (this.reader === reader) this.stopReading();
        throw error;
      },
    );
    return this.starting;
  }

  private stopReading(): void {
    this.reader?.disconnect();
    this.reader = undefined;
    this.cursor = undefined;
  }

  private async readLoop(reader: RedisClient): Promise<void> {
    while (this.reader === reader) {
      try {
        const reply = (await reader.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', this.stream, this.cursor as string)) as StreamReply;
        if (this.reader !== reader) return;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.cursor = id;
            this.dispatch(toSessionEvent(id, fields));
          }
        }
      } catch {
        if (this.reader !== reader) return;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private dispatch(event: SessionEvent): void {
    for (const subscriber of [...this.subscribers]) {
      if (subscriber.backlog) subscriber.backlog.push(event);
      else deliver(subscriber, event);
    }
  }

  private async catchUp(subscriber: Subscriber, after: string): Promise<void> {
    const missed = await this.run(() => this.client.xrange(this.stream, `(${after}`, '+'));
    const backlog = subscriber.backlog ?? [];
    subscriber.backlog = undefined;
    for (const [id, fields] of missed) deliver(subscriber, toSessionEvent(id, fields));
    for (const event of backlog) deliver(subscriber, event);
  }
}

function deliver(subscriber: Subscriber, event: SessionEvent): void {
  if (subscriber.lastId !== undefined && !streamIdAfter(event.id, subscriber.lastId)) return;
  subscriber.lastId = event.id;
  try {
    subscriber.listener(event);
  } catch {
    // A faulty listener must not stop the feed for the others.
  }
}

/**
 * A second connection like `client` for the blocking reads: no command timeout (a read blocks
 * for BLOCK_MS), and a read cut by a lost connection waits for the reconnect and is sent again
 * (safe for a read; without this it would never settle and the loop would stall).
 */
function duplicateForBlocking(client: RedisClient): RedisClient {
  const patient = { commandTimeout: undefined, enableOfflineQueue: true, maxRetriesPerRequest: null, autoResendUnfulfilledCommands: true };
  const reader =
    client instanceof Cluster
      ? client.duplicate(undefined, { enableOfflineQueue: true, redisOptions: { ...client.options.redisOptions, ...patient } })
      : client.duplicate(patient);
  reader.on('error', () => {});
  return reader;
}
