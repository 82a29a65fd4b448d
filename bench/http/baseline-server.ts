import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import './report-cpu.js';
import { SEED_SESSION_BODY } from './seed.js';

// Child process: the least a Koa + @koa/router app must do to serve the same routes and the
// same bodies from a Map. No validation, no problem mapping, no state machine: the floor.

const sessions = new Map<string, Record<string, unknown>>();

function storeSession(body: Record<string, unknown>): string {
  const id = `sess_${randomBytes(16).toString('base64url')}`;
  const now = new Date().toISOString();
  sessions.set(id, { id, status: 'active', mode: 'full_autonomy', recursion_limit: 100, title: null, metadata: {}, ...body, created_at: now, updated_at: now });
  return id;
}

const seedId = storeSession(SEED_SESSION_BODY);

const router = new Router();
router.get('/api/v1/agent-sessions/:id', (ctx) => {
  const session = sessions.get(ctx.params.id as string);
  if (!session) return void (ctx.status = 404);
  ctx.set('ETag', '"1"');
  ctx.body = session;
});
router.post('/api/v1/agent-sessions', async (ctx) => {
  const body = JSON.parse(await getRawBody(ctx.req, { limit: 256 * 1024, encoding: 'utf-8' })) as Record<string, unknown>;
  const id = storeSession(body);
  ctx.status = 201;
  ctx.set('Location', `/api/v1/agent-sessions/${id}`);
  ctx.set('ETag', '"1"');
  ctx.body = { session_id: id };
});

const app = new Koa();
app.use(router.routes());
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
process.send?.({ url: `http://127.0.0.1:${port}`, sessionId: seedId });
