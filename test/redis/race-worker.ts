// One racing process: `node --import tsx race-worker.ts <url> <prefix> <worker> <ops> <id,id,...>`.
// Hammers the given sessions with pause / resume / PATCH status / PATCH metadata (some with
// If-Match), and prints one JSON line per write that won. Losing is expected and not printed.
import { AgentSessionManager, SessionError, type SessionStatus } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';
import { recordingWins } from '../helpers/recording-store.js';

const [url, prefix, worker, opsArg, idsArg] = process.argv.slice(2);
const ids = idsArg.split(',');
const store = new RedisSessionStore({ url, prefix });
const manager = new AgentSessionManager(
  recordingWins(store, (win) => process.stdout.write(`${JSON.stringify(win)}\n`)),
);

// Terminal targets are rare, so most sessions keep moving for the whole run.
const TARGETS: SessionStatus[] = ['active', 'running', 'paused', 'active', 'running', 'paused', 'completed', 'failed'];
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

for (let n = 0; n < Number(opsArg); n++) {
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
await store.close();
