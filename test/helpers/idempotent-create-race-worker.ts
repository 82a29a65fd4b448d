import { once } from 'node:events';
import { AgentSessionManager, StoreUnavailableError, type SessionStore } from '../../src/index.js';

// The body of one process of the idempotent-create race (test/redis/idempotent-create-worker.ts,
// test/postgres/idempotent-create-worker.ts): connects, prints `ready`, waits for a line on stdin
// (so every process fires at once), then fires that many concurrent creates per key and prints
// one JSON line per answer.

/** Runs the creates of one worker on `store`, then closes it. */
export async function raceCreates(store: SessionStore & { ping(): Promise<void> }, creates: number, keys: string[]): Promise<void> {
  const manager = new AgentSessionManager(store);
  // A loaded machine may take longer than the store's connect wait to start this process up.
  for (let attempt = 0; ; attempt++) {
    try {
      await store.ping();
      break;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  process.stdout.write('ready\n');
  await once(process.stdin, 'data');
  const results = await Promise.all(
    keys.flatMap((key) =>
      Array.from({ length: creates }, () =>
        manager
          .createWithOutcome({ dbConnectionId: 'db-idem-race', metadata: { key } }, { idempotencyKey: key })
          .then(({ session, replayed }) => ({ key, id: session.id, replayed })),
      ),
    ),
  );
  for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  await store.close?.();
  process.stdin.destroy();
}
