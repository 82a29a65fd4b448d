import type { ServerResponse } from 'node:http';
import type { SessionEvent } from '../domain/index.js';
import { TooManyStreamsError } from './http-errors.js';
import { toSessionEventResource } from './wire.js';

/** Bounds on event streams (Server-Sent Events); see docs/hardening.md. */
export interface EventStreamLimits {
  /** Most streams open at once per server; past it a new one gets 503 with `Retry-After`. */
  maxClients?: number;
  /** Most bytes waiting to be sent to one client; a client further behind is closed. */
  bufferBytes?: number;
}

/** The defaults of `EventStreamLimits`. */
export const DEFAULT_EVENT_STREAM_LIMITS = { maxClients: 1000, bufferBytes: 256 * 1024 } as const;

/** Seconds a client refused for too many streams is asked to wait (`Retry-After`). */
const RETRY_AFTER_SECONDS = 5;
/** How long a closed slow client may take to read what was already queued before it is cut. */
const DRAIN_GRACE_MS = 10_000;

/**
 * The open streams of one router: the cap on how many, one shutdown listener for all of them
 * (one per stream would trip Node's MaxListenersExceededWarning past ten), and each event's
 * message encoded once for every client that gets it.
 */
export class OpenEventStreams {
  readonly maxClients: number;
  readonly bufferBytes: number;
  private readonly open = new Set<() => void>();
  /** Writes every stream's queued messages, a slice of clients per event-loop turn. */
  readonly scheduler = new DeliveryScheduler();
  // One slot is enough: a store hands each event to every subscriber before the next one.
  private lastEvent?: SessionEvent;
  private lastMessage?: Buffer;

  constructor(limits: EventStreamLimits, private readonly shutdownSignal?: AbortSignal) {
    this.maxClients = limits.maxClients ?? DEFAULT_EVENT_STREAM_LIMITS.maxClients;
    this.bufferBytes = limits.bufferBytes ?? DEFAULT_EVENT_STREAM_LIMITS.bufferBytes;
    shutdownSignal?.addEventListener('abort', () => this.endAll(), { once: true });
  }

  /** True once the server is shutting down. */
  get closing(): boolean {
    return this.shutdownSignal?.aborted ?? false;
  }

  /** Takes a place for a new stream (`end` is called on shutdown), or refuses with 503. */
  admit(end: () => void): () => void {
    if (this.open.size >= this.maxClients) throw new TooManyStreamsError(this.maxClients, RETRY_AFTER_SECONDS);
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Streams open right now. */
  get size(): number {
    return this.open.size;
  }

  /** The SSE message of `event`, serialized once however many clients receive it. */
  message(event: SessionEvent): Buffer {
    if (event !== this.lastEvent) {
      this.lastMessage = Buffer.from(`id: ${event.id}\ndata: ${JSON.stringify(toSessionEventResource(event))}\n\n`);
      this.lastEvent = event;
    }
    return this.lastMessage as Buffer;
  }

  private endAll(): void {
    for (const end of [...this.open]) end();
  }
}

/**
 * One client's output with a bounded send buffer. Messages queue here and are written by the
 * router's `DeliveryScheduler` (a few clients per event-loop turn, each client's queue in one
 * write), so a change followed by many clients never holds up requests for long. Once more than
 * `maxBytes` wait (queued here plus unsent in the socket), the client is too slow: it gets a last
 * `event: overflow` message and the stream ends.
 */
export class EventStreamOutput {
  private queued: Array<Buffer | string> = [];
  private queuedBytes = 0;
  private opened = false;
  private overflowed = false;
  private ending = false;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
    private readonly scheduler: DeliveryScheduler,
    /** Called once when the client falls too far behind; the caller then ends the stream. */
    private readonly onOverflow: () => void,
  ) {}

  /** Queues one message; does nothing once the client overflowed or the stream is ending. */
  send(chunk: Buffer | string): void {
    if (this.overflowed || this.ending) return;
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes + (this.opened ? this.res.writableLength : 0) > this.maxBytes) {
      this.overflowed = true;
      this.onOverflow();
    } else if (this.opened) this.scheduler.schedule(this);
  }

  /** Sends the headers and `head` now; what waited for them follows on the next turn. */
  open(head: string): void {
    this.res.writeHead(200);
    this.res.write(head);
    this.opened = true;
    if (this.queued.length > 0 || this.ending) this.scheduler.schedule(this);
  }

  /** Ends the stream once what is queued is written (after the overflow notice, if that is why). */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    if (this.opened) this.scheduler.schedule(this);
  }

  /** Writes everything queued in one go; called by the scheduler. */
  flush(): void {
    if (this.ended) return;
    const { res } = this;
    if (res.destroyed || res.writableEnded) {
      this.queued = [];
      return;
    }
    res.socket?.cork();
    for (const chunk of this.queued) res.write(chunk);
    this.queued = [];
    this.queuedBytes = 0;
    if (this.ending) this.finish();
    res.socket?.uncork();
  }

  // A client that does not read what is still unsent within a grace period is cut, freeing its buffer.
  private finish(): void {
    this.ended = true;
    if (this.overflowed) {
      const detail = `This client fell more than ${this.maxBytes} bytes behind and was disconnected; reconnect with Last-Event-ID to resume.`;
      this.res.write(`event: overflow\ndata: ${JSON.stringify({ detail })}\n\n`);
    }
    this.res.end();
    if (this.res.writableFinished || this.res.destroyed) return;
    const cut = setTimeout(() => this.res.destroy(), DRAIN_GRACE_MS);
    cut.unref();
    this.res.once('close', () => clearTimeout(cut));
  }
}

/** Clients whose queued messages are written per event-loop turn; the rest wait for the next. */
const CLIENTS_PER_TURN = 8;

/**
 * Writes queued messages a slice of clients at a time, yielding to the event loop between
 * slices: fanning a change out to hundreds of sockets costs a system call each, and doing it in
 * one go would hold every other request up for that long.
 */
export class DeliveryScheduler {
  private readonly ready = new Set<EventStreamOutput>();
  private scheduled = false;

  schedule(output: EventStreamOutput): void {
    this.ready.add(output);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flushSome());
  }

  private flushSome(): void {
    this.scheduled = false;
    let flushed = 0;
    for (const output of this.ready) {
      this.ready.delete(output);
      output.flush();
      if (++flushed === CLIENTS_PER_TURN) break;
    }
    if (this.ready.size > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushSome());
    }
  }
}
