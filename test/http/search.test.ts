import { expect } from 'chai';
import { createAgentSessionManager, MemorySessionStore } from '../../src/index.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/http-server.js';

const BASE = '/api/v1/agent-sessions';

describe('HTTP search and count', () => {
  let server: TestServer;

  beforeEach(async () => {
    const store = new MemorySessionStore({ indexedMetadataKeys: ['user_id', 'project'] });
    server = await startTestServer({ manager: createAgentSessionManager({ store }) });
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  async function create(body: Record<string, unknown>): Promise<string> {
    const response = await server.request('POST', BASE, { body });
    expect(response.status, `create ${JSON.stringify(body)}`).to.equal(201);
    return ((await response.json()) as { session_id: string }).session_id;
  }

  async function expectProblemNaming(response: TestResponse, field: string, call: string) {
    const text = await response.text();
    expect(response.status, `${call}: ${text}`).to.equal(400);
    expect(response.headers.get('content-type'), call).to.match(/^application\/problem\+json/);
    const problem = JSON.parse(text) as { errors?: Array<{ path: string }> };
    expect(problem.errors?.map((e) => e.path), `${call}: ${text}`).to.include(field);
  }

  it('answers a filtered, sorted page with next_cursor and total, and walks to the end', async () => {
    const alice: string[] = [];
    for (let i = 0; i < 5; i++) alice.push(await create({ db_connection_id: 'db1', metadata: { user_id: 'alice', n: i } }));
    await create({ db_connection_id: 'db1', metadata: { user_id: 'bob' } });
    await create({ db_connection_id: 'db2', metadata: { user_id: 'alice' } });
    await server.request('POST', `${BASE}/${alice[1]}/pause`);

    const query = { db_connection_id: 'db1', metadata: { user_id: 'alice' }, status: ['active', 'paused'], sort_by: 'created_at', sort_order: 'asc', limit: 2 };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await server.request('POST', `${BASE}/search`, { body: cursor ? { ...query, cursor } : query });
      expect(response.status).to.equal(200);
      const page = (await response.json()) as { sessions: Array<{ id: string; metadata: object }>; next_cursor: string | null; total: number };
      expect(Object.keys(page)).to.have.members(['sessions', 'next_cursor', 'total']);
      expect(page.total).to.equal(5);
      expect(Object.keys(page.sessions[0])).to.have.members(['id', 'db_connection_id', 'status', 'mode', 'recursion_limit', 'title', 'created_at', 'updated_at', 'metadata']);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(new Set(seen)).to.deep.equal(new Set(alice));
    expect(seen).to.have.length(5);

    const count = await server.request('POST', `${BASE}/count`, { body: { metadata: { user_id: 'alice' }, status: 'paused' } });
    expect(count.status).to.equal(200);
    expect(await count.json()).to.deep.equal({ count: 1 });
  });

  it('projects the selected fields, always with id', async () => {
    const id = await create({ db_connection_id: 'db1', title: 'hello' });
    const response = await server.request('POST', `${BASE}/search`, { body: { select: ['title', 'created_at'] } });
    const page = await response.json();
    expect(page.sessions).to.have.length(1);
    expect(page.sessions[0]).to.have.all.keys('id', 'title', 'created_at');
    expect(page.sessions[0]).to.include({ id, title: 'hello' });
  });

  it('treats a request without a body as the empty filter', async () => {
    await create({ db_connection_id: 'db1' });
    const response = await server.request('POST', `${BASE}/search`);
    expect(response.status).to.equal(200);
    expect((await response.json()).total).to.equal(1);
    expect(await (await server.request('POST', `${BASE}/count`)).json()).to.deep.equal({ count: 1 });
  });

  it('refuses bad input with 400 problem JSON naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['search', { colour: 'red' }, 'colour'],
      ['search', { limit: 0 }, 'limit'],
      ['search', { limit: '10' }, 'limit'],
      ['search', { sort_by: 'title' }, 'sort_by'],
      ['search', { created_after: 'yesterday' }, 'created_after'],
      ['search', { metadata: { foo: 'x' } }, 'metadata.foo'],
      ['search', { metadata: { user_id: { a: 1 } } }, 'metadata.user_id'],
      ['search', { cursor: 'bm90LWEtY3Vyc29y' }, 'cursor'],
      ['search', { select: ['version'] }, 'select.0'],
      ['count', { limit: 3 }, 'limit'],
      ['count', { metadata: { project: 1, other: true } }, 'metadata.other'],
    ];
    for (const [call, body, field] of cases) {
      await expectProblemNaming(await server.request('POST', `${BASE}/${call}`, { body }), field, `${call} ${JSON.stringify(body)}`);
    }
  });

  it('refuses a cursor made for another filter or sort with 400 naming cursor', async () => {
    for (let i = 0; i < 3; i++) await create({ db_connection_id: 'db1' });
    const first = await (await server.request('POST', `${BASE}/search`, { body: { limit: 1 } })).json();
    expect(first.next_cursor).to.be.a('string');
    const other = await server.request('POST', `${BASE}/search`, { body: { limit: 1, sort_by: 'updated_at', cursor: first.next_cursor } });
    await expectProblemNaming(other, 'cursor', 'search with a cursor of another sort');
    const filtered = await server.request('POST', `${BASE}/search`, { body: { limit: 1, db_connection_id: 'db1', cursor: first.next_cursor } });
    await expectProblemNaming(filtered, 'cursor', 'search with a cursor of another filter');
  });

  it('is not taken for a session id: other methods get 405 with Allow', async () => {
    for (const path of ['search', 'count']) {
      const response = await server.request('GET', `${BASE}/${path}`);
      expect(response.status, `GET ${path}`).to.equal(405);
      expect(response.headers.get('allow')).to.equal('POST, OPTIONS');
      const del = await server.request('DELETE', `${BASE}/${path}`);
      expect(del.status, `DELETE ${path}`).to.equal(405);
    }
  });

  describe('POST /api/v1/agent-sessions/prune', () => {
    let clockServer: TestServer;
    let now = Date.parse('2026-02-01T00:00:00.000Z');

    beforeEach(async () => {
      const store = new MemorySessionStore({ indexedMetadataKeys: ['user_id'] });
      clockServer = await startTestServer({ manager: createAgentSessionManager({ store, clock: () => now }) });
    });

    afterEach(async () => {
      await clockServer.running.close();
      expect(clockServer.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
    });

    it('deletes the matching sessions older than older_than and answers {"deleted": n}', async () => {
      const post = (path: string, body?: unknown) => clockServer.request('POST', `${BASE}${path}`, body === undefined ? {} : { body });
      for (let i = 0; i < 3; i++) expect((await post('', { db_connection_id: 'db1', metadata: { user_id: 'a' } })).status).to.equal(201);
      expect((await post('', { db_connection_id: 'db2' })).status).to.equal(201);
      now += 31 * 86_400_000;
      expect((await post('', { db_connection_id: 'db1' })).status).to.equal(201);
      const response = await post('/prune', { db_connection_id: 'db1', older_than: '30d' });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ deleted: 3 });
      expect(await (await post('/count', {})).json()).to.deep.equal({ count: 2 });
    });

    it('refuses an empty body, an unknown field and a bad older_than with 400 naming them', async () => {
      const post = (body?: unknown) => clockServer.request('POST', `${BASE}/prune`, body === undefined ? {} : { body });
      expect((await post()).status).to.equal(400);
      expect((await post({})).status).to.equal(400);
      await expectProblemNaming(await post({ older_than: '30 days' }), 'older_than', 'prune older_than');
      await expectProblemNaming(await post({ everything: true }), 'everything', 'prune unknown field');
      const get = await clockServer.request('GET', `${BASE}/prune`);
      expect(get.status).to.equal(405);
    });
  });
});
