// Example 3: mount the agent-session router inside an existing Koa app that has its own users.
// Run: npm run build && npx tsx examples/koa-host-with-own-auth.ts
import Koa from 'koa';
import { createAgentSessionManager, type Principal } from 'agent-sessions';
import { createAgentSessionRouter } from 'agent-sessions/server';

// The host's users as its login knows them (in a real app: a verified JWT's claims, a session
// cookie looked up in the host's store). Each becomes a principal: scopes and db connections.
const USERS: Record<string, Principal> = {
  'alice-session': { name: 'alice', scopes: ['sessions:write'], dbConnectionIds: ['db1'] },
  'bob-session': { name: 'bob', scopes: ['sessions:read'], dbConnectionIds: ['db2'] },
};

const app = new Koa();
const manager = createAgentSessionManager();
const router = createAgentSessionRouter({
  manager,
  // No principal: 401. Every route then applies the principal's scopes and db connections.
  authorize: (ctx) => USERS[ctx.get('X-Host-Session')],
  onAudit: (entry) => console.log('audit:', entry.principal, entry.action, entry.outcome),
});
app.use(router.routes());

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };
const base = `http://127.0.0.1:${port}/api/v1/agent-sessions`;
const as = (session: string) => ({ 'X-Host-Session': session, 'Content-Type': 'application/json' });

const anonymous = await fetch(base);
console.log('without the host session:', anonymous.status);

const created = await fetch(base, { method: 'POST', headers: as('alice-session'), body: JSON.stringify({ db_connection_id: 'db1' }) });
const location = created.headers.get('location');
console.log('create:', created.status, location);
const invalid = await fetch(base, { method: 'POST', headers: as('alice-session'), body: JSON.stringify({ db_connection_id: 'db1', mode: 'x' }) });
console.log('invalid create:', invalid.status, invalid.headers.get('content-type'));
const elsewhere = await fetch(base, { method: 'POST', headers: as('alice-session'), body: JSON.stringify({ db_connection_id: 'db2' }) });
console.log('alice creating in db2:', elsewhere.status);

const readOnly = await fetch(base, { method: 'POST', headers: as('bob-session'), body: JSON.stringify({ db_connection_id: 'db2' }) });
console.log('bob creating (read-only):', readOnly.status);
const hidden = await fetch(`http://127.0.0.1:${port}${location}`, { headers: as('bob-session') });
console.log("bob reading alice's db1 session:", hidden.status);
const bobsList = (await (await fetch(base, { headers: as('bob-session') })).json()) as { total: number };
console.log('sessions bob sees:', bobsList.total);

server.close();
server.closeAllConnections(); // fetch keeps connections alive; do not wait for them to idle out
