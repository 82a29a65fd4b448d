import { EventsOverflowError, NotSupportedError } from './errors.js';
import type { SessionEvent, SessionEventListener, Unsubscribe } from './events.js';
import type { SessionStore } from './session-store.js';

/** Which events a subscriber wants, and where to start. */
export interface SessionEventFilter {
  /** Only events of this session. */
  sessionId?: string;
  /** Only events of sessions of this db connection. */
  dbConnectionId?: string;
  /** Resume after this event id (as far as the store still holds events). */
  after?: string;
}

/** Options for `subscribe`: a filter, plus what to call when a resume finds events were dropped. */
export interface SessionSubscribeOptions extends SessionEventFilter {
  /** See `StoreSubscribeOptions.onMissed`: called once when `after` is older than what is retained. */
  onMissed?: () => void;
  /** Aborting it stops a replay in progress. */
  replaySignal?: AbortSignal;
}

/** Events a `stream()` loop may fall behind by default before it is stopped. */
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

/** Options for `stream`: those of `subscribe` (`onMissed` included) plus the signal that ends the iteration. */
export interface SessionEventStreamOptions extends SessionSubscribeOptions {
  signal?: AbortSignal;
  /**
   * Most events waiting for the loop (default 10,000); one more makes the loop throw
   * `EventsOverflowError` once it has taken those already queued.
   */
  maxQueued?: number;
}

/**
 * `manager.events`: change events of the manager's store, filtered per subscriber. With a shared
 * backend (Redis) this includes changes made by other processes.
 */
export class SessionEvents {
  private listeners = 0;

  constructor(private readonly store: SessionStore) {}

  /** True when the store can deliver events. */
  get supported(): boolean {
    return typeof this.store.subscribe === 'function';
  }

  /**
   * Calls `listener` with every matching event, in order. Resolves with the unsubscribe function
   * once live: no change made after that is missed.
   */
  async subscribe(listener: SessionEventListener, options: SessionSubscribeOptions = {}): Promise<Unsubscribe> {
    if (!this.store.subscribe) throw new NotSupportedError('change events');
    const matches = matcher(options);
    const unsubscribeStore = await this.store.subscribe((event) => {
      if (matches(event)) listener(event);
    }, {
      after: options.after,
      onMissed: options.onMissed,
      signal: options.replaySignal,
    });
    this.listeners++;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.listeners--;
      unsubscribeStore();
    };
  }

  /** Listeners subscribed through this object right now (for leak checks). */
  listenerCount(): number {
    return this.listeners;
  }

  /**
   * Matching events as an async iterator; ends when `signal` aborts or the loop breaks. A loop
   * that falls more than `maxQueued` events behind throws `EventsOverflowError`.
   */
  async *stream(options: SessionEventStreamOptions = {}): AsyncGenerator<SessionEvent, void, undefined> {
    const { signal, maxQueued = DEFAULT_MAX_QUEUED_EVENTS, ...filter } = options;
    if (signal?.aborted) return;
    const queue: SessionEvent[] = [];
    let overflowed = false;
    let lastEventId: string | undefined;
    let wake: (() => void) | undefined;
    const onAbort = () => wake?.();
    const unsubscribe = await this.subscribe((event) => {
      if (overflowed) return;
      if (queue.length >= maxQueued) overflowed = true;
      else queue.push(event);
      wake?.();
    }, filter);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        const next = queue.shift();
        if (next) {
          lastEventId = next.id;
          yield next;
        } else if (overflowed) throw new EventsOverflowError(maxQueued, lastEventId);
        else await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }
}

function matcher(filter: SessionEventFilter): (event: SessionEvent) => boolean {
  const { sessionId, dbConnectionId } = filter;
  return (event) =>
    (sessionId === undefined || event.session.id === sessionId) &&
    (dbConnectionId === undefined || event.session.dbConnectionId === dbConnectionId);
}
