import type { IdempotencyRecord } from '../../domain/index.js';

/** How many idempotency records a memory store keeps by default. */
export const DEFAULT_IDEMPOTENCY_MAX_KEYS = 100_000;

interface Entry {
  record: IdempotencyRecord;
  expiresAt: number;
}

/**
 * Idempotency records of a memory store, each until it expires, and at most `maxKeys` of them:
 * when full, the oldest go first (a retry of a dropped key creates a new session). Map order is
 * insertion order, which is expiry order while the TTL stays the same, so expired records at the
 * front are dropped as each new one comes in, and the rest on their next read.
 */
export class IdempotencyRecords {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxKeys = DEFAULT_IDEMPOTENCY_MAX_KEYS) {
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new TypeError(`idempotencyMaxKeys must be a positive integer, got ${maxKeys}.`);
  }

  /** The unexpired record under `key`, if any. */
  get(key: string, now: number): IdempotencyRecord | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) this.entries.delete(key);
    return entry && entry.expiresAt > now ? entry.record : undefined;
  }

  set(key: string, record: IdempotencyRecord, expiresAt: number, now: number): void {
    // Cost: one step per record dropped, never a scan of the kept ones.
    for (const [oldKey, entry] of this.entries) {
      if (this.entries.size < this.maxKeys && entry.expiresAt > now) break;
      this.entries.delete(oldKey);
    }
    this.entries.set(key, { record, expiresAt });
  }

  get size(): number {
    return this.entries.size;
  }
}
