import { Cluster } from 'ioredis';
import type { SessionEvent, SessionEventListener, StoreSubscribeOptions, Unsubscribe } from '../../domain/index.js';
import { StoreUnavailableError } from '../../domain/index.js';
import { READY_WAIT_MS, toStoreError, whenReady, type RedisClient } from './connection.js';
import { isStreamId, streamIdAfter, toSessionEvent } from './stream-events.js';

/** How long one XREAD blocks; closing the feed cuts it short by dropping the connection. */
const BLOCK_MS = 5_000;
/** Entries read per XREAD. */
const BATCH = 500;
/** Pause before reading again after a failed read (Redis away): the loop resumes at its cursor. */
const RETRY_MS = 200;
/**
 * Entries per XRANGE of a resume's replay. Each subscriber replays one page at a time, so a
 * replay's cost per command and per client is bounded, and concurrent replays take turns.
 */
export const REPLAY_PAGE = 50;
/**
 * Replay commands in flight at once, over all subscribers; the others wait their turn in order.
 * Bounds the memory of replies in flight and keeps each command well inside its timeout.
 */
const REPLAY_CONCURRENCY = 4;

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
 * A listener resuming with `after` first gets the entries it missed (paged XRANGE on a third
 * connection), then live ones.
 */
export class RedisEventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private reader?: RedisClient;
  /** Replays run here, so many resuming clients never queue ahead of the store's own commands. */
  private replayer?: RedisClient;
  private readonly replayTurns = new TurnTaker(REPLAY_CONCURRENCY);
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
    const asked = isStreamId(options.after) ? options.after : undefined;
    const subscriber: Subscriber = { listener, backlog: asked ? [] : undefined };
    this.subscribers.add(subscriber);
    const unsubscribe = () => {
      if (this.subscribers.delete(subscriber) && this.subscribers.size === 0) this.stopReading();
    };
    try {
      await this.startReading();
      if (asked) await this.catchUp(subscriber, asked, options);
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
    this.replayer?.disconnect();
    this.replayer = undefined;
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

  /**
   * Replays the entries after `after`, a page at a time, then what arrived live meanwhile. An id
   * past the last one written was never issued here (or a restart lost it): live events only.
   * When the stream was trimmed past `after`, `onMissed` is called first.
   */
  private async catchUp(subscriber: Subscriber, after: string, options: StoreSubscribeOptions): Promise<void> {
    const replayer = (this.replayer ??= duplicateForReplay(this.client));
    const onReplayer = <T>(command: () => Promise<T>): Promise<T> =>
      this.replayTurns.run(async () => {
        try {
          await whenReady(replayer, READY_WAIT_MS);
          return await command();
        } catch (error) {
          throw toStoreError(error);
        }
      });
    const info = await onReplayer(() => streamInfo(replayer, this.stream));
    if (!info || streamIdAfter(after, info.lastId)) return this.goLive(subscriber);
    subscriber.lastId = after;
    if (info.trimmedAfter(after)) options.onMissed?.();
    let from = `(${after}`;
    // Stops early when the subscriber left or gave up (its stream closed) while replaying.
    while (this.subscribers.has(subscriber) && !options.signal?.aborted) {
      const page = await onReplayer(() => replayer.xrange(this.stream, from, '+', 'COUNT', REPLAY_PAGE));
      for (const [id, fields] of page) deliver(subscriber, toSessionEvent(id, fields));
      if (page.length < REPLAY_PAGE) break;
      from = `(${page[page.length - 1][0]}`;
    }
    this.goLive(subscriber);
  }

  private goLive(subscriber: Subscriber): void {
    const backlog = subscriber.backlog ?? [];
    subscriber.backlog = undefined;
    for (const event of backlog) deliver(subscriber, event);
  }
}

interface StreamInfo {
  /** The last id the stream ever issued (entries may have been trimmed since). */
  lastId: string;
  /** True when entries after `id` were trimmed away. */
  trimmedAfter(id: string): boolean;
}

/**
 * XINFO STREAM, or `undefined` for a stream that does not exist. Entries are gone when more were
 * added than remain; if so, a resume from before the first one left missed some (one exactly at
 * the last trimmed entry is told so too: the stream cannot tell, and a needless reload is safe).
 */
async function streamInfo(client: RedisClient, stream: string): Promise<StreamInfo | undefined> {
  let info: unknown[];
  try {
    info = (await client.xinfo('STREAM', stream)) as unknown[];
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return undefined;
    throw error;
  }
  const field = (name: string) => (info.includes(name) ? info[info.indexOf(name) + 1] : undefined);
  const removed = Number(field('entries-added')) - Number(field('length'));
  const first = field('first-entry') as [string, string[]] | null | undefined;
  return {
    lastId: String(field('last-generated-id')),
    // Before Redis 7 there is no `entries-added` (NaN here): any first entry after `id` counts as a gap.
    trimmedAfter: (id) => !!first && streamIdAfter(first[0], id) && (Number.isNaN(removed) || removed > 0),
  };
}

/** Runs at most `limit` tasks at once; the rest start in the order they came. */
class TurnTaker {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** A connection like `client` for replays: the same fail-fast settings, its own command queue. */
function duplicateForReplay(client: RedisClient): RedisClient {
  const replayer = client.duplicate();
  replayer.on('error', () => {});
  return replayer;
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
