import { AgentSessionManager, SessionError, type SessionStatus, type SessionStore } from '../../src/index.js';
import { recordingWins } from './recording-store.js';

// The body of one racing process (see test/redis/race-worker.ts, test/postgres/race-worker.ts):
// hammers the given sessions with pause / resume / PATCH status / PATCH metadata (some with
// If-Match), and prints one JSON line per write that won. Losing is expected and not printed.

// Terminal targets are rare, so most sessions keep moving for the whole run.
const TARGETS: SessionStatus[] = ['active', 'running', 'paused', 'active', 'running', 'paused', 'completed', 'failed'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

/** Runs `ops` random writes of worker `worker` on `ids`, then closes the store. */
export async function hammer(store: SessionStore, worker: string, ops: number, ids: string[]): Promise<void> {
  const manager = new AgentSessionManager(recordingWins(store, (win) => process.stdout.write(`${JSON.stringify(win)}\n`)));
  for (let n = 0; n < ops; n++) {
    const id = pick(ids);
    const metadata = { worker, n };
    try {
      switch (n % 5) {
        case 0:
          await manager.pause(id);
          break;
        case 1:
          await manager.resume(id);
          break;
        case 2:
          await manager.update(id, { status: Math.random() < 0.1 ? pick(TARGETS) : pick(TARGETS.slice(0, 6)) });
          break;
        case 3:
          await manager.update(id, { metadata });
          break;
        case 4:
          await manager.update(id, { metadata }, { ifVersion: (await manager.get(id)).version });
          break;
      }
    } catch (error) {
      if (!(error instanceof SessionError) || error.code === 'store_unavailable') throw error;
    }
  }
  await store.close?.();
}
