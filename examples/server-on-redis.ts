// Example 2: the HTTP server on the Redis store, as a service would run it.
// Run: npm run build && REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/server-on-redis.ts
import { createAgentSessionManager } from 'agent-sessions';
import { RedisSessionStore } from 'agent-sessions/redis';
import { startServer, type SessionResource, type StatusResource } from 'agent-sessions/server';

const store = new RedisSessionStore({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: 'agent-sessions-example', // keeps this example's keys apart from anything else
});
const running = await startServer({ manager: createAgentSessionManager({ store }), port: 0 });
const base = `${running.url}/api/v1/agent-sessions`;

console.log('ready:', (await fetch(`${running.url}/readyz`)).status);
const created = await fetch(base, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ db_connection_id: 'db-redis', title: 'Stored in Redis' }),
});
const { session_id } = (await created.json()) as { session_id: string };
const session = (await (await fetch(`${base}/${session_id}`)).json()) as SessionResource;
console.log('stored:', session.title, session.status);
const statusOf = async (response: Promise<Response>) => ((await (await response).json()) as StatusResource).status;
console.log('paused:', await statusOf(fetch(`${base}/${session_id}/pause`, { method: 'POST' })));
console.log('deleted:', await statusOf(fetch(`${base}/${session_id}`, { method: 'DELETE' })));

await running.close(1000);
await store.close();
