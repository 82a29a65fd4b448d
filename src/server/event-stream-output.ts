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
 * One client's output with a bounded send buffer. Messages wait in memory until the headers are
 * sent (a replay arrives before that), then go straight to the socket; once more than `maxBytes`
 * wait, the client is too slow: it gets a last `event: overflow` message and the stream ends.
 */
export class EventStreamOutput {
  private pending: Array<Buffer | string> | undefined = [];
  private pendingBytes = 0;
  private overflowed = false;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBytes: number,
    /** Called once when the client falls too far behind; the caller then ends the stream. */
    private readonly onOverflow: () => void,
  ) {}

  /** Queues one message; does nothing once the client overflowed or the stream ended. */
  send(chunk: Buffer | string): void {
    if (this.overflowed || this.ended) return;
    let waiting: number;
    if (this.pending) {
      this.pending.push(chunk);
      waiting = this.pendingBytes += chunk.length;
    } else {
      this.res.write(chunk);
      waiting = this.res.writableLength;
    }
    if (waiting > this.maxBytes) {
      this.overflowed = true;
      this.onOverflow();
    }
  }

  /** Sends the headers, `head`, and whatever waited for them. */
  open(head: string): void {
    this.res.writeHead(200);
    this.res.write(head);
    for (const chunk of this.pending ?? []) this.res.write(chunk);
    this.pending = undefined;
  }

  /** True once the headers went out. */
  get isOpen(): boolean {
    return this.pending === undefined;
  }

  /**
   * Ends the response (after the overflow notice, if that is why). A client that does not read
   * what is still queued within a grace period is cut, so its buffer is freed.
   */
  end(): void {
    if (this.ended || !this.isOpen) return;
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
