// Example 3: mount the agent-session router inside an existing Koa app that has its own auth.
// Run: npm run build && npx tsx examples/koa-host-with-own-auth.ts
import Koa from 'koa';
import { createAgentSessionManager } from 'agent-sessions';
import { createAgentSessionRouter } from 'agent-sessions/server';

const app = new Koa();

// The host's own authentication runs first; the router never sees unauthenticated requests.
app.use(async (ctx, next) => {
  if (ctx.get('X-Host-Session') !== 'signed-in-user') {
    ctx.status = 401;
    ctx.body = { error: 'sign in first' };
    return;
  }
  await next();
});

const router = createAgentSessionRouter({ manager: createAgentSessionManager() });
app.use(router.routes());

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as { port: number };
const base = `http://127.0.0.1:${port}/api/v1/agent-sessions`;

const anonymous = await fetch(base);
console.log('without the host session:', anonymous.status);

const headers = { 'X-Host-Session': 'signed-in-user', 'Content-Type': 'application/json' };
const created = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ db_connection_id: 'db1' }) });
console.log('create:', created.status, created.headers.get('location'));
const invalid = await fetch(base, { method: 'POST', headers, body: JSON.stringify({ db_connection_id: 'db1', mode: 'x' }) });
console.log('invalid create:', invalid.status, invalid.headers.get('content-type'));

server.close();
server.closeAllConnections(); // fetch keeps connections alive; do not wait for them to idle out
