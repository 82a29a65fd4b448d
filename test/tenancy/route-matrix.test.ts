import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { createAgentSessionManager } from '../../src/index.js';
import { PUBLIC_ROUTES, ROUTE_SCOPES } from '../../src/server/auth/route-scopes.js';
import { createConsoleRouter } from '../../src/server/console-routes.js';
import { createAgentSessionRouter } from '../../src/server/router.js';
import { bearer, KEYS, testKeyRing, type KeyName } from './keys.js';

const BASE = '/api/v1/agent-sessions';
const WRONG_KEY = 'not-a-key-0123456789abcdef';
/** A key header, or the console's login cookie of that key (what a logged-in console sends). */
type Caller = KeyName | `cookie of ${KeyName}` | 'no key' | 'wrong key';
type Scope = 'read' | 'write' | 'admin';

// What each caller may do: its scope and the db connections it reaches (undefined: all).
const CALLERS: Record<KeyName, { scope: Scope; dbs?: (db: string) => boolean }> = {
  reader: { scope: 'read' },
  writer: { scope: 'write' },
  admin: { scope: 'admin' },
  readerA: { scope: 'read', dbs: (db) => db === 'db-a' },
  writerA: { scope: 'write', dbs: (db) => db === 'db-a' },
  writerTeam: { scope: 'write', dbs: (db) => db.startsWith('team-') },
  adminAB: { scope: 'admin', dbs: (db) => db === 'db-a' || db === 'db-b' },
};
const RANK: Record<Scope, number> = { read: 0, write: 1, admin: 2 };

interface Call {
  name: string;
  method: string;
  scope: Scope;
  success: number;
  /** The db connection of the session the call touches or creates. */
  db?: string;
  /** A create, or a bulk call naming `db` in its body: another db answers 403 instead of 404. */
  creates?: boolean;
  /** Served before authentication (console page and login): the same answer for every caller. */
  open?: boolean;
  /** The console login: its body carries the caller's key (204), a wrong one (401) or none (400). */
  login?: boolean;
  headers?: () => Record<string, string>;
  /** The path, given a fresh session of `db` (made in the state `prepare` leaves). */
  path(id: string): string;
  body?: unknown;
  paused?: boolean;
  stream?: boolean;
}

const CALLS: Call[] = [
  { name: 'list', method: 'GET', scope: 'read', success: 200, path: () => BASE },
  { name: 'list one db', method: 'GET', scope: 'read', success: 200, path: () => `${BASE}?db_connection_id=db-b` },
  { name: 'collection events', method: 'GET', scope: 'read', success: 200, stream: true, path: () => `${BASE}/events` },
  ...['db-a', 'db-b', 'team-x'].flatMap((db): Call[] => [
    { name: `create in ${db}`, method: 'POST', scope: 'write', success: 201, db, creates: true, path: () => BASE, body: { db_connection_id: db } },
    {
      name: `idempotent create in ${db}`,
      method: 'POST',
      scope: 'write',
      success: 201,
      db,
      creates: true,
      path: () => BASE,
      body: { db_connection_id: db },
      headers: () => ({ 'idempotency-key': randomUUID() }),
    },
    { name: `copy ${db}`, method: 'POST', scope: 'write', success: 201, db, path: (id) => `${BASE}/${id}/copy`, body: { title: 'copy' } },
    { name: `pause all of ${db}`, method: 'POST', scope: 'admin', success: 200, db, creates: true, path: () => `${BASE}/pause`, body: { db_connection_id: db } },
    {
      name: `resume all of ${db}`,
      method: 'POST',
      scope: 'admin',
      success: 200,
      db,
      creates: true,
      paused: true,
      path: () => `${BASE}/resume`,
      body: { db_connection_id: db },
    },
    { name: `get ${db}`, method: 'GET', scope: 'read', success: 200, db, path: (id) => `${BASE}/${id}` },
    { name: `head ${db}`, method: 'HEAD', scope: 'read', success: 200, db, path: (id) => `${BASE}/${id}` },
    { name: `patch ${db}`, method: 'PATCH', scope: 'write', success: 200, db, path: (id) => `${BASE}/${id}`, body: { title: 'x' } },
    { name: `delete ${db}`, method: 'DELETE', scope: 'write', success: 200, db, path: (id) => `${BASE}/${id}` },
    { name: `pause ${db}`, method: 'POST', scope: 'write', success: 200, db, path: (id) => `${BASE}/${id}/pause` },
    { name: `resume ${db}`, method: 'POST', scope: 'write', success: 200, db, paused: true, path: (id) => `${BASE}/${id}/resume` },
    { name: `events of ${db}`, method: 'GET', scope: 'read', success: 200, db, stream: true, path: (id) => `${BASE}/${id}/events` },
  ]),
  { name: 'metrics', method: 'GET', scope: 'admin', success: 200, path: () => '/metrics' },
  { name: 'openapi', method: 'GET', scope: 'admin', success: 200, path: () => '/openapi.json' },
  { name: 'docs', method: 'GET', scope: 'admin', success: 200, path: () => '/docs' },
  { name: 'console page', method: 'GET', scope: 'read', success: 200, open: true, path: () => '/console' },
  { name: 'console script', method: 'GET', scope: 'read', success: 200, open: true, path: () => '/console/console.js' },
  { name: 'console auth', method: 'GET', scope: 'read', success: 200, open: true, path: () => '/console/auth' },
  { name: 'console login', method: 'POST', scope: 'read', success: 204, open: true, login: true, path: () => '/console/login' },
  {
    name: 'console logout',
    method: 'POST',
    scope: 'read',
    success: 204,
    open: true,
    path: () => '/console/logout',
    headers: () => ({ 'x-requested-with': 'XMLHttpRequest' }),
  },
];

const keyNameOf = (caller: Caller): KeyName | undefined =>
  caller === 'no key' || caller === 'wrong key' ? undefined : (caller.replace(/^cookie of /, '') as KeyName);

function loginBody(caller: Caller): unknown {
  if (caller === 'no key') return {};
  const name = keyNameOf(caller);
  return { key: name ? KEYS[name] : WRONG_KEY };
}

/** The documented answer: 401 without a valid key, 403 outside scope or for a create in another db, 404 for another db's session. */
function expectedStatus(caller: Caller, call: Call): number {
  if (call.login) return caller === 'no key' ? 400 : caller === 'wrong key' ? 401 : 204;
  if (call.open) return call.success;
  const name = keyNameOf(caller);
  if (!name) return 401;
  const { scope, dbs } = CALLERS[name];
  if (RANK[scope] < RANK[call.scope]) return 403;
  if (call.db && dbs && !dbs(call.db)) return call.creates ? 403 : 404;
  return call.success;
}

describe('tenancy: every key against every route', function () {
  this.timeout(120_000);
  let server: TestServer;
  const cookies = new Map<KeyName, string>();

  before(async () => {
    server = await startTestServer({ apiKeyRing: testKeyRing() });
    // Every key's console login, as the console makes it: the cookie then stands for that key.
    for (const name of Object.keys(CALLERS) as KeyName[]) {
      const response = await server.request('POST', '/console/login', { body: { key: KEYS[name] } });
      expect(response.status, name).to.equal(204);
      cookies.set(name, (response.headers.get('set-cookie') ?? '').split(';')[0]);
    }
  });
  after(() => server.running.close());

  function authHeaders(caller: Caller): Record<string, string> {
    if (caller === 'no key') return {};
    if (caller === 'wrong key') return bearer(WRONG_KEY);
    if (!caller.startsWith('cookie of ')) return bearer(KEYS[caller as KeyName]);
    // The console sends X-Requested-With on every call, which cookie writes need (CSRF).
    return { cookie: cookies.get(keyNameOf(caller)!)!, 'x-requested-with': 'XMLHttpRequest' };
  }

  const keyNames = Object.keys(CALLERS) as KeyName[];
  const callers: Caller[] = ['no key', 'wrong key', ...keyNames, ...keyNames.map((name): Caller => `cookie of ${name}`)];
  for (const caller of callers) {
    it(`answers ${caller} with the exact status on every route`, async () => {
      const wrong: string[] = [];
      for (const call of CALLS) {
        const session = await server.manager.create({ dbConnectionId: call.db ?? 'db-a' });
        if (call.paused) await server.manager.pause(session.id);
        const headers: Record<string, string> = { ...authHeaders(caller), ...call.headers?.() };
        const body = call.login ? loginBody(caller) : call.body;
        const controller = new AbortController();
        const response = await fetch(server.url(call.path(session.id)), {
          method: call.method,
          headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
          body: body ? JSON.stringify(body) : undefined,
          signal: controller.signal,
        });
        const expected = expectedStatus(caller, call);
        if (response.status !== expected) wrong.push(`${call.name} (${call.method} ${call.path(session.id)}): expected ${expected}, got ${response.status}`);
        if (response.status >= 400 && call.method !== 'HEAD') {
          expect(response.headers.get('content-type'), call.name).to.match(/^application\/problem\+json/);
        }
        if (call.stream && response.status === 200) controller.abort();
        else await response.arrayBuffer();
      }
      expect(wrong, wrong.join('\n')).to.deep.equal([]);
    });
  }

  it('lets everyone with a key reach an unknown path or method, answered 404 or 405', async () => {
    for (const key of [KEYS.reader, KEYS.writerA]) {
      expect((await fetch(server.url('/nowhere'), { headers: bearer(key) })).status).to.equal(404);
      expect((await fetch(server.url(BASE), { method: 'PUT', headers: bearer(key) })).status).to.equal(405);
    }
  });

  it('refuses a cookie write without X-Requested-With or from another origin (403), whoever the key', async () => {
    const session = await server.manager.create({ dbConnectionId: 'db-a' });
    for (const name of ['admin', 'writerA'] as const) {
      const cookie = cookies.get(name)!;
      const bare = await server.request('POST', `${BASE}/${session.id}/pause`, { headers: { cookie } });
      expect(bare.status, name).to.equal(403);
      expect((await bare.json()).detail).to.include('X-Requested-With');
      const foreign = await server.request('POST', `${BASE}/${session.id}/pause`, {
        headers: { cookie, 'x-requested-with': 'XMLHttpRequest', origin: 'https://elsewhere.example' },
      });
      expect(foreign.status, name).to.equal(403);
      // Reads need no CSRF proof.
      expect((await server.request('GET', `${BASE}/${session.id}`, { headers: { cookie } })).status, name).to.equal(200);
    }
    expect((await server.manager.get(session.id)).status).to.equal('active');
  });

  it('keeps /healthz and /readyz open', async () => {
    expect((await fetch(server.url('/healthz'))).status).to.equal(200);
    expect((await fetch(server.url('/readyz'))).status).to.equal(200);
  });
});

describe('the route scope table', () => {
  it('has a row for every method and path the router serves', () => {
    const router = createAgentSessionRouter({ manager: createAgentSessionManager() });
    // `router.all` layers (every method) only answer 405 with Allow; they need no row.
    const handlers = router.stack.filter((layer) => layer.methods.length > 0 && !layer.methods.includes('PUT'));
    const served = handlers.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`));
    const rows = new Set(ROUTE_SCOPES.map((row) => `${row.method} ${row.path}`));
    expect(served).to.have.length.above(8);
    expect(served.filter((route) => !rows.has(route))).to.deep.equal([]);
    for (const route of ['POST /api/v1/agent-sessions/pause', 'POST /api/v1/agent-sessions/resume', 'POST /api/v1/agent-sessions/:id/copy']) {
      expect(served).to.include(route);
    }
  });

  it('lists every console route as public (served before authentication)', () => {
    const router = createConsoleRouter();
    const served = router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${layer.path}`));
    const open = new Set(PUBLIC_ROUTES.map((route) => `${route.method} ${route.path}`));
    expect(served).to.include('POST /console/login');
    expect(served.filter((route) => !open.has(route))).to.deep.equal([]);
  });
});

describe('the OpenAPI document and the scope table', () => {
  it('gives every operation the scope the server enforces as x-required-scope', async () => {
    const { buildOpenApiDocument } = await import('../../src/server/openapi.js');
    const paths = buildOpenApiDocument().paths as Record<string, Record<string, { 'x-required-scope'?: string }>>;
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => method !== 'parameters')
        .map(([method, operation]) => ({ path, method, scope: operation['x-required-scope'] })),
    );
    expect(operations).to.have.length.above(8);
    for (const { path, method, scope } of operations) {
      const row = ROUTE_SCOPES.find((r) => r.method === method.toUpperCase() && r.path === path.replace('{session_id}', ':id'));
      expect(scope, `${method} ${path}`).to.equal(row?.scope);
      expect(scope, `${method} ${path}`).to.be.a('string');
    }
  });
});
