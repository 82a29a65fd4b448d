// A process that runs one task: `node --import tsx task-worker.ts <url> <prefix> <sessionId> <leaseMs>`.
// Prints `running` once the handler has started, and `aborted <epoch ms>` when its signal aborts;
// the handler then keeps going (as if it ignored the signal) until the process is killed.
import { AgentSessionManager } from '../../src/index.js';
import { RedisSessionStore } from '../../src/redis.js';

const [url, prefix, sessionId, leaseMs] = process.argv.slice(2);
const manager = new AgentSessionManager(new RedisSessionStore({ url, prefix }));

await manager.runTask(
  sessionId,
  async ({ signal }) => {
    signal.addEventListener('abort', () => process.stdout.write(`aborted ${Date.now()}\n`));
    process.stdout.write('running\n');
    await new Promise(() => setInterval(() => {}, 1000));
  },
  { leaseMs: Number(leaseMs) },
);
