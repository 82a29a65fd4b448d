import { SESSION_STATUSES, newSessionId, type AgentSession, type SessionStore } from '../../src/index.js';

/** Sessions spread evenly over this many db connections and all five statuses. */
export const DB_CONNECTIONS = 10;
// Inserts in flight at once: enough to pipeline, few enough that the last of a batch answers well
// inside the store's 1 s command timeout on a busy machine (each insert also writes search entries).
const BATCH = 200;
const START = Date.parse('2026-01-01T00:00:00.000Z');

/** The filter combination number `n` cycles through, so every query has a full first page. */
export function filterFor(n: number): { dbConnectionId: string; status: AgentSession['status'] } {
  return { dbConnectionId: `db-${n % DB_CONNECTIONS}`, status: SESSION_STATUSES[Math.floor(n / DB_CONNECTIONS) % SESSION_STATUSES.length] };
}

/**
 * Inserts `count` sessions shaped like the ones `manager.create` makes (small metadata, one per
 * millisecond), straight into the store: moving them through the state machine one by one
 * would time the writes, not the listing. Batches let a remote store pipeline its inserts.
 */
export async function fillStore(store: SessionStore, count: number): Promise<void> {
  for (let from = 0; from < count; from += BATCH) {
    const batch: Promise<boolean>[] = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) {
      const at = new Date(START + i).toISOString();
      batch.push(
        store.insert({
          id: newSessionId(),
          ...filterFor(i),
          mode: 'full_autonomy',
          recursionLimit: 100,
          title: null,
          createdAt: at,
          updatedAt: at,
          metadata: { team: 'analytics' },
          version: 1,
        }),
      );
    }
    await Promise.all(batch);
  }
}
