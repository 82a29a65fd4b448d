import { expect } from 'chai';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { createAgentSessionManager, ForbiddenError, type Principal } from '../../src/index.js';
import { createAgentSessionRouter, UnauthorizedError, type Authorize } from '../../src/server/index.js';
import { captureLogs } from '../helpers/capture-logs.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { bearer, KEYS, testKeyRing } from './keys.js';

const BASE = '/api/v1/agent-sessions';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (response: Response): Promise<any> => response.json();
const USERS: Record<string, Principal> = {
  reader: { name: 'reader', scopes: ['sessions:read'] },
  'writer-a': { name: 'writer-a', scopes: ['sessions:write'], dbConnectionIds: ['db-a'] },
  admin: { name: 'admin', scopes: ['sessions:admin'] },
};

// The host's login, reduced to a header; a few users reject or misbehave on purpose.
const authorize: Authorize = async (ctx) => {
  const user = ctx.get('X-User');
  if (user === 'banned') throw new ForbiddenError('This account is suspended.');
  if (user === 'expired') throw new UnauthorizedError('The session cookie has expired.');
  if (user === 'broken') return { name: 'broken', scopes: ['sessions:everything'] } as unknown as Principal;
  return USERS[user];
};

describe('createAgentSessionRouter({ authorize })', () => {
  let server: ReturnType<Koa['listen']>;
  let base: string;
  const unexpected: unknown[] = [];
  const as = (user: string, init: RequestInit = {}) => ({
    ...init,
    headers: { 'X-User': user, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });

  before(async () => {
    const app = new Koa();
    const manager = createAgentSessionManager();
    await manager.create({ dbConnectionId: 'db-b' });
    app.use(createAgentSessionRouter({ manager, authorize, onUnexpectedError: (error) => unexpected.push(error) }).routes());
    app.use((ctx) => {
      ctx.body = { host: 'page' };
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    server.closeAllConnections();
  });

  it('answers 401 problem JSON when the hook finds no principal', async () => {
    const response = await fetch(`${base}${BASE}`);
    expect(response.status).to.equal(401);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it("passes the hook's own 401 and 403 through as problem JSON", async () => {
    const expired = await fetch(`${base}${BASE}`, as('expired'));
    expect(expired.status).to.equal(401);
    expect((await json(expired)).detail).to.equal('The session cookie has expired.');
    const banned = await fetch(`${base}${BASE}`, as('banned'));
    expect(banned.status).to.equal(403);
    expect((await json(banned)).detail).to.equal('This account is suspended.');
  });

  it("applies the principal's scopes and db connections like a scoped key", async () => {
    expect((await fetch(`${base}${BASE}`, as('reader', { method: 'POST', body: '{"db_connection_id":"db-a"}' }))).status).to.equal(403);
    expect((await fetch(`${base}${BASE}`, as('writer-a', { method: 'POST', body: '{"db_connection_id":"db-b"}' }))).status).to.equal(403);
    const created = await fetch(`${base}${BASE}`, as('writer-a', { method: 'POST', body: '{"db_connection_id":"db-a"}' }));
    expect(created.status).to.equal(201);
    const list = await json(await fetch(`${base}${BASE}`, as('writer-a')));
    expect(list.total).to.equal(1);
    expect((await json(await fetch(`${base}${BASE}`, as('reader')))).total).to.equal(2);
  });

  it('answers a principal the hook got wrong with 500, reported as the host fault it is', async () => {
    const response = await fetch(`${base}${BASE}`, as('broken'));
    expect(response.status).to.equal(500);
    expect(String(unexpected.at(-1))).to.contain('authorize returned an invalid principal');
  });

  it("leaves the host's other paths alone", async () => {
    const response = await fetch(`${base}/somewhere-else`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ host: 'page' });
  });
});

describe('createServer({ authorize }) and the audit log', () => {
  let server: TestServer;
  afterEach(() => server?.running.close());

  it('guards the operator pages with the same hook (sessions:admin)', async () => {
    server = await startTestServer({ authorize });
    expect((await server.request('GET', '/metrics', { headers: { 'X-User': 'reader' } })).status).to.equal(403);
    expect((await server.request('GET', '/metrics', { headers: { 'X-User': 'admin' } })).status).to.equal(200);
    expect((await server.request('GET', '/openapi.json')).status).to.equal(401);
    expect((await server.request('GET', '/healthz')).status).to.equal(200);
  });

  it('logs every write once at info with the key name, action, session id and outcome, never the key', async () => {
    const { lines, logger } = captureLogs();
    server = await startTestServer({ logger, apiKeyRing: testKeyRing() });
    const created = await server.request('POST', BASE, { body: { db_connection_id: 'db-a' }, headers: bearer(KEYS.writerA) });
    const id = (await created.json()).session_id as string;
    await server.request('POST', `${BASE}/${id}/pause`, { headers: bearer(KEYS.writerA) });
    await server.request('DELETE', `${BASE}/${id}`, { headers: bearer(KEYS.reader) });
    await server.request('POST', BASE, { body: { db_connection_id: 'db-b' }, headers: bearer(KEYS.writerA) });
    await server.request('GET', BASE, { headers: bearer(KEYS.writerA) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const audit = lines.filter((line) => line.audit).map((line) => ({ level: line.level, ...(line.audit as object) }));
    expect(audit.map(({ request_id: _, ...rest }: Record<string, unknown>) => rest)).to.deep.equal([
      { level: 30, principal: 'writer-a', action: 'create', session_id: id, outcome: 'ok' },
      { level: 30, principal: 'writer-a', action: 'pause', session_id: id, outcome: 'ok' },
      { level: 30, principal: 'reader', action: 'delete', session_id: id, outcome: 'forbidden' },
      { level: 30, principal: 'writer-a', action: 'create', session_id: null, outcome: 'forbidden' },
    ]);
    const all = JSON.stringify(lines);
    for (const key of Object.values(KEYS)) expect(all).not.to.contain(key);
  });
});

describe('the HTTP client and scoped keys', () => {
  it('throws ForbiddenApiError for a call outside the scopes', async () => {
    const { AgentSessionClient, ForbiddenApiError } = await import('../../src/client/index.js');
    const server = await startTestServer({ apiKeyRing: testKeyRing() });
    try {
      const client = new AgentSessionClient({ baseUrl: server.running.url, headers: bearer(KEYS.reader) });
      const error = await client.create({ db_connection_id: 'db-a' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ForbiddenApiError);
      expect((error as { status: number }).status).to.equal(403);
    } finally {
      await server.running.close();
    }
  });
});
