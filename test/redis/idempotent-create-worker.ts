// One racing process: `node --import tsx idempotent-create-worker.ts <url> <prefix> <creates> <key,key,...>`.
// Connects, prints `ready`, waits for a line on stdin (so every process fires at once), then
// fires that many concurrent creates per key and prints one JSON line per answer.
import { once } from 'node:events';
import { AgentSessionManager, StoreUnavailableError } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';

const [url, prefix, createsArg, keysArg] = process.argv.slice(2);
const store = new RedisSessionStore({ url, prefix });
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
  keysArg.split(',').flatMap((key) =>
    Array.from({ length: Number(createsArg) }, () =>
      manager
        .createWithOutcome({ dbConnectionId: 'db-idem-race', metadata: { key } }, { idempotencyKey: key })
        .then(({ session, replayed }) => ({ key, id: session.id, replayed })),
    ),
  ),
);
for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
await store.close();
process.stdin.destroy();
