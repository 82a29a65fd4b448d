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
/** How many bytes of recent events (each about its session's JSON) the memory store keeps at most. */
export const DEFAULT_MEMORY_EVENT_RETENTION_BYTES = 64 * 1024 * 1024;

/** How much of the recent past the log keeps: whichever bound is reached first trims it. */
export interface EventRetention {
  events?: number;
  bytes?: number;
}

interface Retained {
  event: SessionEvent;
  bytes: number;
}

/**
 * The memory store's change events: numbered 1, 2, 3… and handed to listeners synchronously,
 * right after the write, so they arrive in write order. Recent events stay for resuming, bounded
 * by count and by bytes: every event holds a full snapshot of its session, so a count alone would
 * let 10,000 sessions of 64 KiB metadata pin 640 MB.
 */
export class MemoryEventLog {
  private readonly listeners = new Set<SessionEventListener>();
  private readonly recent: Array<Retained | undefined> = [];
  /** Index of the oldest event still in `recent`; slots before it are emptied, and dropped now and then. */
  private head = 0;
  private retainedBytes = 0;
  private lastId = 0;
  private readonly maxEvents: number;
  private readonly maxBytes: number;

  constructor(retention: EventRetention = {}) {
    this.maxEvents = positiveInteger('eventRetention', retention.events ?? DEFAULT_MEMORY_EVENT_RETENTION);
    this.maxBytes = positiveInteger('eventRetentionBytes', retention.bytes ?? DEFAULT_MEMORY_EVENT_RETENTION_BYTES);
  }

  record(type: SessionEventType, session: AgentSession, previousStatus: SessionStatus | null, reason?: SessionDeleteReason): void {
    const id = String(++this.lastId);
    const at = new Date().toISOString();
    const event: SessionEvent = Object.freeze(reason === undefined ? { id, type, session, previousStatus, at } : { id, type, session, previousStatus, at, reason });
    this.retain(event);
    // A copy, so a listener that unsubscribes (or subscribes) while called does not disturb this loop.
    if (this.listeners.size > 0) for (const listener of [...this.listeners]) deliver(listener, event);
  }

  subscribe(listener: SessionEventListener, options: StoreSubscribeOptions = {}): Unsubscribe {
    // Wrapped, so the same function subscribed twice is two subscriptions.
    const own: SessionEventListener = (event) => listener(event);
    const after = options.after !== undefined && /^[0-9]{1,15}$/.test(options.after) ? Number(options.after) : undefined;
    // An id not issued yet (a future one, or one from before a restart) means "live only".
    if (after !== undefined && after <= this.lastId) {
      const oldest = this.oldestRetainedId();
      if (after < oldest - 1) options.onMissed?.();
      const first = Math.max(this.head, this.head + after - oldest + 1);
      for (let i = first; i < this.recent.length && !options.signal?.aborted; i++) deliver(own, (this.recent[i] as Retained).event);
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

  /** Events and bytes kept for resuming right now. */
  get retained(): { events: number; bytes: number } {
    return { events: this.recent.length - this.head, bytes: this.retainedBytes };
  }

  private retain(event: SessionEvent): void {
    const bytes = sizeOf(event.session);
    this.recent.push({ event, bytes });
    this.retainedBytes += bytes;
    // The newest event is always kept, however large, so a resume right after it still works.
    while (this.recent.length - this.head > 1 && (this.recent.length - this.head > this.maxEvents || this.retainedBytes > this.maxBytes)) {
      this.retainedBytes -= (this.recent[this.head] as Retained).bytes;
      this.recent[this.head++] = undefined;
    }
    // Drop the trimmed prefix in one splice once it is as long as what is kept (amortized O(1)).
    if (this.head > 1024 && this.head * 2 > this.recent.length) {
      this.recent.splice(0, this.head);
      this.head = 0;
    }
  }

  private oldestRetainedId(): number {
    const oldest = this.recent[this.head];
    return oldest ? Number(oldest.event.id) : this.lastId + 1;
  }
}

// What an event costs beyond its session's strings: the fixed fields, as JSON, with room to spare.
const EVENT_OVERHEAD_BYTES = 384;

/**
 * An event's size, as the length of its session's JSON: the fixed fields are bounded, so only the
 * parts a caller sizes (ids, title, metadata) are measured, and only metadata is serialized.
 */
function sizeOf(session: AgentSession): number {
  return EVENT_OVERHEAD_BYTES + session.id.length + session.dbConnectionId.length + (session.title?.length ?? 0) + JSON.stringify(session.metadata).length;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

function deliver(listener: SessionEventListener, event: SessionEvent): void {
  try {
    listener(event);
  } catch {
    // A faulty listener must not break the write that emitted the event, nor other listeners.
  }
}
