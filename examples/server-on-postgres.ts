// Example 5: the HTTP server on the PostgreSQL store, as a service would run it.
// Run: npm install pg && npm run build &&
//      DATABASE_URL=postgres://user:password@127.0.0.1:5432/app npx tsx examples/server-on-postgres.ts
import { createAgentSessionManager } from 'agent-sessions';
import { PostgresSessionStore } from 'agent-sessions/postgres';
import { startServer, type SessionResource, type StatusResource } from 'agent-sessions/server';

const store = new PostgresSessionStore({
  url: process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres',
  schema: 'agent_sessions_example', // keeps this example's tables apart from anything else
});
console.log('migrations applied:', (await store.migrate()).join(', ') || 'none (up to date)');
const running = await startServer({ manager: createAgentSessionManager({ store }), port: 0 });
const base = `${running.url}/api/v1/agent-sessions`;

console.log('ready:', (await fetch(`${running.url}/readyz`)).status);
const created = await fetch(base, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ db_connection_id: 'db-postgres', title: 'Stored in PostgreSQL' }),
});
const { session_id } = (await created.json()) as { session_id: string };
const session = (await (await fetch(`${base}/${session_id}`)).json()) as SessionResource;
console.log('stored:', session.title, session.status);
const statusOf = async (response: Promise<Response>) => ((await (await response).json()) as StatusResource).status;
console.log('paused:', await statusOf(fetch(`${base}/${session_id}/pause`, { method: 'POST' })));
console.log('deleted:', await statusOf(fetch(`${base}/${session_id}`, { method: 'DELETE' })));

await running.close(1000);
await store.close();
