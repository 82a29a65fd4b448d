// One racing process: `node --import tsx idempotent-create-worker.ts <url> <prefix> <key> <creates>`.
// Fires that many concurrent creates with one idempotency key and prints one JSON line per answer.
import { AgentSessionManager } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';

const [url, prefix, key, createsArg] = process.argv.slice(2);
const store = new RedisSessionStore({ url, prefix });
const manager = new AgentSessionManager(store);
const results = await Promise.all(
  Array.from({ length: Number(createsArg) }, () =>
    manager.createWithOutcome({ dbConnectionId: 'db-idem-race', metadata: { key } }, { idempotencyKey: key }),
  ),
);
for (const { session, replayed } of results) process.stdout.write(`${JSON.stringify({ id: session.id, replayed })}\n`);
await store.close();
