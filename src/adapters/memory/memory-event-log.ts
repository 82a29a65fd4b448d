import type {
  AgentSession,
  SessionDeleteReason,
  SessionEvent,
  SessionEventListener,
  SessionEventType,
  SessionStatus,
  StoreSubscribeOptions,
  Unsubscribe,
} from '../../domain/index.js';

/** How many recent events the memory store keeps for subscribers that resume with `after`. */
export const DEFAULT_MEMORY_EVENT_RETENTION = 10_000;

/**
 * The memory store's change events: numbered 1, 2, 3… and handed to listeners synchronously,
 * right after the write, so they arrive in write order. The last `retain` events stay for resuming.
 */
export class MemoryEventLog {
  private readonly listeners = new Set<SessionEventListener>();
  private readonly recent: SessionEvent[] = [];
  private lastId = 0;

  constructor(private readonly retain: number = DEFAULT_MEMORY_EVENT_RETENTION) {}

  record(type: SessionEventType, session: AgentSession, previousStatus: SessionStatus | null, reason?: SessionDeleteReason): void {
    const event: SessionEvent = Object.freeze({
      id: String(++this.lastId),
      type,
      session,
      previousStatus,
      at: new Date().toISOString(),
      ...(reason === undefined ? {} : { reason }),
    });
    this.recent.push(event);
    if (this.recent.length > this.retain) this.recent.shift();
    for (const listener of [...this.listeners]) deliver(listener, event);
  }

  subscribe(listener: SessionEventListener, options: StoreSubscribeOptions = {}): Unsubscribe {
    // Wrapped, so the same function subscribed twice is two subscriptions.
    const own: SessionEventListener = (event) => listener(event);
    const after = options.after !== undefined && /^[0-9]{1,15}$/.test(options.after) ? Number(options.after) : undefined;
    if (after !== undefined) {
      for (const event of this.recent) if (Number(event.id) > after) deliver(own, event);
    }
    this.listeners.add(own);
    return () => {
      this.listeners.delete(own);
    };
  }

  /** Listeners subscribed right now. */
  get listenerCount(): number {
    return this.listeners.size;
  }
}

function deliver(listener: SessionEventListener, event: SessionEvent): void {
  try {
    listener(event);
  } catch {
    // A faulty listener must not break the write that emitted the event, nor other listeners.
  }
}
