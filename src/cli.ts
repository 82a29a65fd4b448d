#!/usr/bin/env node
import { createAgentSessionManager } from './create-manager.js';
import type { SessionStore } from './domain/index.js';
import { startServer } from './server/start.js';

// `npm start`: the REST API. PORT (default 3000), HOST (default 127.0.0.1), STORE (`memory`, the
// default, or `redis` with REDIS_URL, default redis://127.0.0.1:6379, and REDIS_PREFIX).

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) {
    console.error(`PORT must be a whole number from 0 to 65535, got '${value}'.`);
    process.exit(1);
  }
  return port;
}

/** The store STORE names; ioredis is loaded only for `redis`. */
async function storeFromEnv(env: NodeJS.ProcessEnv): Promise<{ store?: SessionStore; label: string }> {
  const kind = env.STORE || 'memory';
  if (kind === 'memory') return { label: 'in-memory store' };
  if (kind === 'redis') {
    const { RedisSessionStore } = await import('./redis.js');
    const url = env.REDIS_URL || 'redis://127.0.0.1:6379';
    return { store: new RedisSessionStore({ url, prefix: env.REDIS_PREFIX || undefined }), label: 'Redis store' };
  }
  console.error(`STORE must be 'memory' or 'redis', got '${kind}'.`);
  process.exit(1);
}

const { store, label } = await storeFromEnv(process.env);
const running = await startServer({
  manager: createAgentSessionManager({ store }),
  port: portFromEnv(process.env.PORT),
  host: process.env.HOST || '127.0.0.1',
});
console.log(`agent-sessions listening on ${running.url} (${label})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: finishing in-flight requests, then exiting`);
    void running
      .close()
      .then(() => store?.close?.())
      .then(() => process.exit(0));
  });
}
