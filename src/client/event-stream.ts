import type { SessionEventResource } from '../server/schemas.js';
import { AgentSessionApiError, apiErrorFromOtherResponse, apiErrorFromResponse } from './errors.js';
import { SseParser, type SseMessage } from './sse-parser.js';

// Type-only import from the server above: this module must not load server code at run time.

/** One change event: the `data:` the server sends (wire names), plus its SSE `id:`. */
export type SessionEventMessage = SessionEventResource & {
  /** The event id; pass it as `lastEventId` to resume after it. */
  id: string;
};

/**
 * Comes first when a resume (`lastEventId`) asked for events the server no longer retains: some
 * changes were missed, so reload what you show (GET the session or list), then keep iterating.
 */
export interface MissedEventsNotice {
  type: 'missed';
  /** A human sentence saying what happened. */
  detail: string;
}

/** What an event stream yields: a change event, or the notice that some were missed. */
export type SessionEventStreamItem = SessionEventMessage | MissedEventsNotice;

/**
 * Change events as they arrive, for `for await`; after a resume from too far back, a
 * `{ type: 'missed' }` notice comes first (narrow on `type`). It ends (without an error) when the server ends
 * the stream, the `signal` aborts or `close()` is called; breaking out of the loop closes it too.
 * A cut connection rejects with fetch's own error, or just ends (Node's fetch cannot tell a cut
 * `Connection: close` response from its end): reconnect with `lastEventId` to keep following.
 */
export interface SessionEventStream extends AsyncIterableIterator<SessionEventStreamItem> {
  /** The id of the last event this iterator handed out, `undefined` before the first. */
  readonly lastEventId: string | undefined;
  /** Closes the connection; iteration ends. Safe to call more than once. */
  close(): void;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * GETs an event stream and answers once the server has accepted it: the server sends its headers
 * only after subscribing, so every change made after this resolves is delivered. Error statuses
 * reject with the typed `AgentSessionApiError`s, like every other client call.
 */
export async function openEventStream(
  fetchFn: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<SessionEventStream> {
  const call = `GET ${url}`;
  // Our own controller, so close() can end the connection whatever the caller's signal does.
  const connection = new AbortController();
  const abort = () => connection.abort(signal?.reason);
  const unlink = () => signal?.removeEventListener('abort', abort);
  if (signal?.aborted) abort();
  else signal?.addEventListener('abort', abort, { once: true });
  try {
    const response = await fetchFn(url, { method: 'GET', headers, signal: connection.signal });
    if (!response.ok) throw await apiErrorFromResponse(response, call);
    const contentType = response.headers.get('content-type') ?? '';
    if (!/^text\/event-stream\b/i.test(contentType) || !response.body) {
      const text = await response.text();
      throw apiErrorFromOtherResponse(response.status, contentType, text, `${call} (expected text/event-stream)`);
    }
    return new EventStreamReader(response.body, connection, call, unlink);
  } catch (error) {
    unlink();
    throw error;
  }
}

/** Reads one stream body: bytes -> SSE messages -> typed events, one network read at a time. */
class EventStreamReader implements SessionEventStream {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly parser = new SseParser();
  private readonly queue: SessionEventStreamItem[] = [];
  private closed = false;
  // What the caller has seen, not what was parsed: events still queued must not be skipped on resume.
  private lastHandedOut: string | undefined;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly connection: AbortController,
    private readonly call: string,
    private readonly onClose: () => void,
  ) {
    this.reader = body.getReader();
  }

  get lastEventId(): string | undefined {
    return this.lastHandedOut;
  }

  async next(): Promise<IteratorResult<SessionEventStreamItem, undefined>> {
    for (;;) {
      // An abort ends the iteration at once, even with events still queued.
      if (this.connection.signal.aborted) this.close();
      if (this.closed) return DONE;
      const event = this.queue.shift();
      if (event) {
        if (event.type !== 'missed') this.lastHandedOut = event.id || undefined;
        return { done: false, value: event };
      }
      await this.readChunk();
    }
  }

  async return(): Promise<IteratorReturnResult<undefined>> {
    this.close();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.onClose();
    this.connection.abort();
    // Also cancel the body: a fetch passed in as an option may not honour the signal.
    this.reader.cancel().catch(() => {});
  }

  private async readChunk(): Promise<void> {
    let chunk: Awaited<ReturnType<typeof this.reader.read>>;
    try {
      chunk = await this.reader.read();
    } catch (error) {
      // Our own abort (close(), the caller's signal) is a clean end; anything else is a broken connection.
      const aborted = this.connection.signal.aborted;
      this.close();
      if (aborted) return;
      throw error;
    }
    if (chunk.done) return this.close(); // the server ended the stream
    for (const message of this.parser.push(chunk.value)) {
      // Like EventSource's onmessage: other named events (`overflow`, before the end) are not change events.
      if (message.event === 'message') this.queue.push(this.toEvent(message));
      else if (message.event === 'missed') this.queue.push({ type: 'missed', detail: this.parse<{ detail: string }>(message).detail });
    }
  }

  private toEvent(message: SseMessage): SessionEventMessage {
    return { ...this.parse<SessionEventResource>(message), id: message.id };
  }

  private parse<T>(message: SseMessage): T {
    try {
      return JSON.parse(message.data) as T;
    } catch {
      this.close();
      const excerpt = message.data.slice(0, 200);
      throw new AgentSessionApiError(200, undefined, `${this.call}: an event's data is not JSON: ${excerpt}`);
    }
  }
}
