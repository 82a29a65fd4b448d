import pg from 'pg';
import type { SessionEvent, SessionEventListener, StoreSubscribeOptions, Unsubscribe } from '../../domain/index.js';
import { StoreUnavailableError } from '../../domain/index.js';
import { cursorAfter, eventStatements, parseEventId, toSessionEvent, type EventCursor, type EventRow } from './session-events.js';

/** Events read per statement. */
const BATCH = 500;
/** Reads at least this often even without a notification (a lost one, a listener reconnecting). */
const POLL_MS = 500;
/** Read again this soon when a committed event waits behind a transaction still running. */
const HELD_RETRY_MS = 10;
/** Pause before the LISTEN connection is opened again after it broke. */
const RECONNECT_MS = 200;
/**
 * Live events held for one subscriber while it replays. Past this many they are dropped and the
 * replay goes on from the last event it delivered instead: they are still in the table.
 */
const REPLAY_BACKLOG = 1_000;

type Run = <T>(command: () => Promise<T>) => Promise<T>;

interface Subscriber {
  listener: SessionEventListener;
  /** Cursor of the last event handed to it; later deliveries must come after it. */
  last?: EventCursor;
  /** While catching up with `after`: live events wait here (at most REPLAY_BACKLOG). */
  backlog?: SessionEvent[];
  /** Live events were dropped from a full backlog: read them from the table instead. */
  backlogDropped?: boolean;
}

interface ReadRow extends Partial<EventRow> {
  xmin: string;
}

/**
 * The PostgreSQL store's event subscriptions: one reader per store, started with the first
 * listener and stopped with the last. It reads `session_events` after its cursor, in (xid, id)
 * order, and delivers only events of transactions older than every transaction still running:
 * those can no longer be joined by an earlier event committing late, so the cursor never skips
 * one. A LISTEN connection of its own wakes it when any instance announces commits that wrote
 * events (see ChangeAnnouncer), and this store's own writes wake it directly; a poll every
 * POLL_MS covers the times it is reconnecting and announcements that never came. The cursor
 * lives here, not in the connection, so nothing is lost while the listener reconnects or the
 * database is away.
 */
export class PostgresEventFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly sql: ReturnType<typeof eventStatements>;
  private reading = false;
  private cursor?: EventCursor;
  private starting?: Promise<void>;
  private listener?: pg.Client;
  private poll?: NodeJS.Timeout;
  private busy = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
    private readonly channel: string,
    /** Runs a statement on the pool, mapping errors like every store call. */
    private readonly run: Run,
  ) {
    this.sql = eventStatements(schema);
  }

  async subscribe(listener: SessionEventListener, options: StoreSubscribeOptions = {}): Promise<Unsubscribe> {
    if (this.closed) throw new StoreUnavailableError('The session store is closed.');
    const after = parseEventId(options.after);
    const subscriber: Subscriber = { listener, last: after, backlog: after ? [] : undefined };
    this.subscribers.add(subscriber);
    const unsubscribe = () => {
      if (this.subscribers.delete(subscriber) && this.subscribers.size === 0) this.stopReading();
    };
    try {
      await this.startReading();
      if (after) await this.catchUp(subscriber, after, options);
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** This store committed a change: read now rather than wait for the announcement to come back. */
  changed(): void {
    this.wake();
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

  // The cursor starts below the oldest running transaction, so every write after this resolves is read.
  private startReading(): Promise<void> {
    if (this.reading) return this.starting ?? Promise.resolve();
    this.reading = true;
    // Listening before the cursor is taken, so the first commits after it already wake the reader.
    this.starting = this.openListener()
      .then(() => this.run(() => this.pool.query<{ xmin: string }>(this.sql.start)))
      .then(
      ({ rows }) => {
        this.starting = undefined;
        if (!this.reading) return;
        this.cursor = { xid: BigInt(rows[0].xmin), id: 0n };
        this.poll = setInterval(() => this.wake(), POLL_MS);
        this.poll.unref();
        this.wake();
      },
      (error: unknown) => {
        this.starting = undefined;
        this.stopReading();
        throw error;
      },
    );
    return this.starting;
  }

  private stopReading(): void {
    this.reading = false;
    this.cursor = undefined;
    clearInterval(this.poll);
    const listener = this.listener;
    this.listener = undefined;
    listener?.end().catch(() => {});
  }

  /**
   * A connection that only LISTENs; when it breaks, another is opened while anyone listens.
   * Resolves once it listens, or failed to (the poll covers that time).
   */
  private openListener(): Promise<void> {
    const client = new pg.Client(this.pool.options);
    this.listener = client;
    const reopen = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.end().catch(() => {});
      setTimeout(() => {
        if (this.reading && !this.listener) void this.openListener().then(() => this.wake());
      }, RECONNECT_MS).unref();
    };
    client.on('error', reopen);
    client.on('end', reopen);
    client.on('notification', () => this.wake());
    return client
      .connect()
      .then(() => client.query(`LISTEN "${this.channel}"`))
      .then(
        () => undefined,
        () => reopen(),
      );
  }

  /** Reads now, or right after the read in progress. */
  private wake(): void {
    if (!this.reading || this.cursor === undefined) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    void this.read().finally(() => {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async read(): Promise<void> {
    const cursor = this.cursor as EventCursor;
    let rows: ReadRow[];
    try {
      ({ rows } = await this.pool.query<ReadRow>(this.sql.read, [String(cursor.xid), String(cursor.id), BATCH]));
    } catch {
      return; // The database is away; the next poll tries again from the same cursor.
    }
    if (!this.reading || this.cursor !== cursor) return;
    const xmin = BigInt(rows[0].xmin);
    let held = false;
    for (const row of rows) {
      if (row.id === undefined || row.id === null) continue;
      const position = { xid: BigInt(row.xid as string), id: BigInt(row.id) };
      if (position.xid >= xmin) {
        held = true;
        break;
      }
      this.cursor = position;
      this.dispatch(toSessionEvent(row as EventRow));
    }
    if (held) setTimeout(() => this.wake(), HELD_RETRY_MS).unref();
    else if (rows.length === BATCH) this.again = true;
  }

  private dispatch(event: SessionEvent): void {
    for (const subscriber of [...this.subscribers]) {
      if (!subscriber.backlog) deliver(subscriber, event);
      else if (subscriber.backlog.length < REPLAY_BACKLOG) subscriber.backlog.push(event);
      else subscriber.backlogDropped = true;
    }
  }

  /**
   * Hands a resuming subscriber the final events after `after`, then what arrived meanwhile. An
   * id this store has not issued (its serial beyond the newest event) means live events only; one
   * from before the oldest event kept gets `onMissed` first, as events in between were trimmed.
   */
  private async catchUp(subscriber: Subscriber, after: EventCursor, options: StoreSubscribeOptions): Promise<void> {
    const { rows: bounds } = await this.run(() => this.pool.query<{ oldest: string | null; newest: string | null }>(this.sql.bounds));
    const { oldest, newest } = bounds[0];
    if (newest === null || after.id > BigInt(newest)) {
      subscriber.last = undefined;
    } else {
      if (oldest !== null && after.id + 1n < BigInt(oldest)) options.onMissed?.();
      await this.replay(subscriber, after, options.signal);
    }
    // Live events came faster than the replay took them: go on reading them from the table.
    while (subscriber.backlogDropped && !options.signal?.aborted && this.subscribers.has(subscriber)) {
      subscriber.backlogDropped = false;
      subscriber.backlog = [];
      if (subscriber.last) await this.replay(subscriber, subscriber.last, options.signal);
      else options.onMissed?.();
    }
    const backlog = subscriber.backlog ?? [];
    subscriber.backlog = undefined;
    for (const event of backlog) deliver(subscriber, event);
  }

  /** The final events after `after`, in order, until none are left or `signal` aborts. */
  private async replay(subscriber: Subscriber, after: EventCursor, signal?: AbortSignal): Promise<void> {
    let from = after;
    while (!signal?.aborted) {
      const { rows } = await this.run(() => this.pool.query<ReadRow>(this.sql.read, [String(from.xid), String(from.id), BATCH]));
      const xmin = BigInt(rows[0].xmin);
      let count = 0;
      for (const row of rows) {
        if (row.id === undefined || row.id === null || BigInt(row.xid as string) >= xmin) break;
        from = { xid: BigInt(row.xid as string), id: BigInt(row.id) };
        deliver(subscriber, toSessionEvent(row as EventRow));
        count++;
      }
      if (count < BATCH) break;
    }
  }
}

function deliver(subscriber: Subscriber, event: SessionEvent): void {
  const position = parseEventId(event.id) as EventCursor;
  if (subscriber.last !== undefined && !cursorAfter(position, subscriber.last)) return;
  subscriber.last = position;
  try {
    subscriber.listener(event);
  } catch {
    // A faulty listener must not stop the feed for the others.
  }
}
