#!/usr/bin/env node
import { createAgentSessionManager } from './create-manager.js';
import { startServer } from './server/start.js';

// `npm start`: the REST API on the in-memory store. PORT (default 3000), HOST (default 127.0.0.1).

function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) {
    console.error(`PORT must be a whole number from 0 to 65535, got '${value}'.`);
    process.exit(1);
  }
  return port;
}

const running = await startServer({
  manager: createAgentSessionManager(),
  port: portFromEnv(process.env.PORT),
  host: process.env.HOST || '127.0.0.1',
});
console.log(`agent-sessions listening on ${running.url} (in-memory store)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`${signal}: finishing in-flight requests, then exiting`);
    void running.close().then(() => process.exit(0));
  });
}
