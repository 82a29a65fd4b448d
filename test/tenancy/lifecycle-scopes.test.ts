import { expect } from 'chai';
import { ApiKeyRing, digestOf, parseApiKeysFile } from '../../src/server/auth/api-keys.js';
import { captureLogs } from '../helpers/capture-logs.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { connectSse } from '../helpers/sse-client.js';
import { bearer, KEY_FILE, KEYS, testKeyRing } from './keys.js';

const BASE = '/api/v1/agent-sessions';

/** The console's login cookie for `key` (`name=value`), as the browser would send it back. */
async function consoleCookie(server: TestServer, key: string): Promise<string> {
  const response = await server.request('POST', '/console/login', { body: { key } });
  expect(response.status).to.equal(204);
  return (response.headers.get('set-cookie') ?? '').split(';')[0];
}

const asConsole = (cookie: string) => ({ cookie, 'x-requested-with': 'XMLHttpRequest' });

describe('tenancy: copy, bulk pause/resume and idempotent create', function () {
  this.timeout(60_000);
  let server: TestServer;
  afterEach(() => server?.running.close());

  it('audits each of these writes once, with the principal, action, session id and outcome', async () => {
    const { lines, logger } = captureLogs();
    server = await startTestServer({ logger, apiKeyRing: testKeyRing() });
    const other = await server.manager.create({ dbConnectionId: 'db-b' });
    const key = { ...bearer(KEYS.writerA), 'idempotency-key': 'audit-1' };
    const first = await server.request('POST', BASE, { body: { db_connection_id: 'db-a' }, headers: key });
    const id = (await first.json()).session_id as string;
    const replay = await server.request('POST', BASE, { body: { db_connection_id: 'db-a' }, headers: key });
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    const copied = await server.request('POST', `${BASE}/${id}/copy`, { headers: bearer(KEYS.writerA) });
    const copyId = (await copied.json()).session_id as string;
    expect((await server.request('POST', `${BASE}/${other.id}/copy`, { headers: bearer(KEYS.writerA) })).status).to.equal(404);
    expect((await server.request('POST', `${BASE}/pause`, { body: { db_connection_id: 'db-a' }, headers: bearer(KEYS.writerA) })).status).to.equal(403);
    const paused = await server.request('POST', `${BASE}/pause`, { body: { db_connection_id: 'db-a' }, headers: bearer(KEYS.adminAB) });
    expect(await paused.json()).to.deep.equal({ paused: 2 });
    expect((await server.request('POST', `${BASE}/resume`, { body: { db_connection_id: 'db-c' }, headers: bearer(KEYS.adminAB) })).status).to.equal(403);
    const resumed = await server.request('POST', `${BASE}/resume`, { body: { db_connection_id: 'db-a' }, headers: bearer(KEYS.adminAB) });
    expect(await resumed.json()).to.deep.equal({ resumed: 2 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const audit = lines.filter((line) => line.audit).map((line) => line.audit as Record<string, unknown>);
    expect(audit.map(({ request_id: _, ...rest }) => rest)).to.deep.equal([
      { principal: 'writer-a', action: 'create', session_id: id, outcome: 'ok' },
      { principal: 'writer-a', action: 'create', session_id: id, outcome: 'ok' },
      { principal: 'writer-a', action: 'copy', session_id: copyId, outcome: 'ok' },
      { principal: 'writer-a', action: 'copy', session_id: other.id, outcome: 'session_not_found' },
      { principal: 'writer-a', action: 'bulk_pause', session_id: null, outcome: 'forbidden' },
      { principal: 'admin-ab', action: 'bulk_pause', session_id: null, outcome: 'ok' },
      { principal: 'admin-ab', action: 'bulk_resume', session_id: null, outcome: 'forbidden' },
      { principal: 'admin-ab', action: 'bulk_resume', session_id: null, outcome: 'ok' },
    ]);
    expect(JSON.stringify(lines)).not.to.contain(KEYS.writerA);
  });

  it("answers a copy of another db's session exactly like an unknown id, and copies keep their db", async () => {
    server = await startTestServer({ apiKeyRing: testKeyRing() });
    const hidden = await server.manager.create({ dbConnectionId: 'db-b' });
    const hiddenAnswer = await server.request('POST', `${BASE}/${hidden.id}/copy`, { headers: bearer(KEYS.writerTeam) });
    const unknownId = `${hidden.id.slice(0, -2)}${hidden.id.endsWith('AA') ? 'AB' : 'AA'}`;
    const unknownAnswer = await server.request('POST', `${BASE}/${unknownId}/copy`, { headers: bearer(KEYS.writerTeam) });
    expect(hiddenAnswer.status).to.equal(404);
    const withoutId = (body: { detail: string }) => ({ ...body, detail: body.detail.replace(/sess_[\w-]+/, 'ID') });
    expect(withoutId(await hiddenAnswer.json())).to.deep.equal(withoutId(await unknownAnswer.json()));

    const source = await server.manager.create({ dbConnectionId: 'team-x', title: 'source' });
    const copied = await server.request('POST', `${BASE}/${source.id}/copy`, { body: { title: 'copy' }, headers: bearer(KEYS.writerTeam) });
    expect(copied.status).to.equal(201);
    const copy = await server.manager.get((await copied.json()).session_id);
    expect(copy).to.include({ dbConnectionId: 'team-x', title: 'copy' });
    expect((await server.manager.list({ dbConnectionId: 'db-b' })).total).to.equal(1);
  });

  it('scopes Idempotency-Key to the principal: another key gets its own session, the same key by cookie replays', async () => {
    server = await startTestServer({ apiKeyRing: testKeyRing() });
    const body = { db_connection_id: 'db-a', title: 'once' };
    const create = (headers: Record<string, string>) =>
      server.request('POST', BASE, { body, headers: { ...headers, 'idempotency-key': 'shared-key-1' } });
    const first = await create(bearer(KEYS.writerA));
    const firstId = (await first.json()).session_id as string;
    const otherPrincipal = await create(bearer(KEYS.writer));
    expect(otherPrincipal.status).to.equal(201);
    expect(otherPrincipal.headers.get('idempotent-replayed')).to.equal(null);
    expect((await otherPrincipal.json()).session_id).not.to.equal(firstId);
    // The console acting as writer-a is writer-a: the same key replays its create.
    const byCookie = await create(asConsole(await consoleCookie(server, KEYS.writerA)));
    expect(byCookie.status).to.equal(201);
    expect(byCookie.headers.get('idempotent-replayed')).to.equal('true');
    expect((await byCookie.json()).session_id).to.equal(firstId);
    expect((await server.manager.list({ dbConnectionId: 'db-a' })).total).to.equal(2);
  });
});

describe('tenancy: the console login with API_KEYS_FILE keys', function () {
  this.timeout(60_000);
  let server: TestServer;
  afterEach(() => server?.running.close());

  it("logs in with a digest-only key, acts as that key's principal, and ends when a reload drops the key", async () => {
    const ring = testKeyRing();
    server = await startTestServer({ apiKeys: ['plain-key-0123456789abcdef'], apiKeyRing: ring });
    await server.manager.create({ dbConnectionId: 'db-a' });
    await server.manager.create({ dbConnectionId: 'db-b' });
    expect(await (await server.request('GET', '/console/auth')).json()).to.deep.equal({ login_required: true });
    expect((await server.request('POST', '/console/login', { body: { key: 'not-a-key-0123456789' } })).status).to.equal(401);
    const cookie = await consoleCookie(server, KEYS.readerA);
    const page = await server.request('GET', BASE, { headers: asConsole(cookie) });
    expect(page.status).to.equal(200);
    expect((await page.json()).sessions.map((s: { db_connection_id: string }) => s.db_connection_id)).to.deep.equal(['db-a']);
    expect((await server.request('POST', BASE, { body: { db_connection_id: 'db-a' }, headers: asConsole(cookie) })).status).to.equal(403);
    // Plain API_KEYS log the console in too, with full access.
    const plain = await consoleCookie(server, 'plain-key-0123456789abcdef');
    expect((await server.request('GET', '/metrics', { headers: asConsole(plain) })).status).to.equal(200);

    // A reload keeping the entry keeps the login; one without it ends it.
    ring.replace(parseApiKeysFile(JSON.stringify(KEY_FILE)));
    expect((await server.request('GET', BASE, { headers: asConsole(cookie) })).status).to.equal(200);
    ring.replace(parseApiKeysFile(JSON.stringify(KEY_FILE.filter((entry) => entry.name !== 'reader-a'))));
    expect((await server.request('GET', BASE, { headers: asConsole(cookie) })).status).to.equal(401);
    // Back in the file, the key must log in again: the server forgot its cookie with the entry.
    ring.replace(parseApiKeysFile(JSON.stringify(KEY_FILE)));
    expect((await server.request('GET', BASE, { headers: asConsole(cookie) })).status).to.equal(401);
    expect(await consoleCookie(server, KEYS.readerA)).to.equal(cookie);
    expect((await server.request('GET', BASE, { headers: asConsole(cookie) })).status).to.equal(200);
  });

  it('accepts a "key" entry\'s cookie without a login on this instance, as for API_KEYS', async () => {
    const entries = [{ name: 'dev', key: 'dev-key-0123456789abcdef', scopes: ['sessions:read'] }];
    const first = await startTestServer({ apiKeyRing: testKeyRingOf(entries) });
    const cookie = await consoleCookie(first, 'dev-key-0123456789abcdef');
    await first.running.close();
    server = await startTestServer({ apiKeyRing: testKeyRingOf(entries) });
    expect((await server.request('GET', BASE, { headers: asConsole(cookie) })).status).to.equal(200);
    expect(digestOf('dev-key-0123456789abcdef').toString('hex')).not.to.equal(cookie.split('=')[1]);
  });
});

describe('tenancy: event streams of a restricted key keep the stream limits', function () {
  this.timeout(60_000);
  let server: TestServer;
  afterEach(() => server?.running.close(1000));

  it("carries only the key's sessions, and counts against the server's stream cap", async () => {
    server = await startTestServer({ apiKeyRing: testKeyRing(), eventStreamMaxClients: 1 });
    const stream = await connectSse(server.url(`${BASE}/events`), bearer(KEYS.readerA));
    const refused = await fetch(server.url(`${BASE}/events`), { headers: bearer(KEYS.admin) });
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('retry-after')).to.be.a('string');
    await refused.arrayBuffer();
    await server.manager.create({ dbConnectionId: 'db-b' });
    const mine = await server.manager.create({ dbConnectionId: 'db-a' });
    const seen = await stream.until((message) => message.data.session?.id === mine.id);
    expect(seen.map((message) => message.data.session?.db_connection_id)).to.deep.equal(['db-a']);
    stream.close();
  });
});

const testKeyRingOf = (entries: unknown[]) => new ApiKeyRing(parseApiKeysFile(JSON.stringify(entries)));
