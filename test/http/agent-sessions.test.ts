import { expect } from 'chai';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/http-server.js';

const BASE = '/api/v1/agent-sessions';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SESSION_FIELDS = [
  'id',
  'db_connection_id',
  'status',
  'mode',
  'recursion_limit',
  'title',
  'created_at',
  'updated_at',
  'metadata',
];

describe('HTTP API', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  async function create(body: Record<string, unknown> = { db_connection_id: 'db123' }): Promise<string> {
    const response = await server.request('POST', BASE, { body });
    expect(response.status, `create ${JSON.stringify(body)}`).to.equal(201);
    return ((await response.json()) as { session_id: string }).session_id;
  }

  async function expectProblem(response: TestResponse, status: number, call: string) {
    const text = await response.text();
    expect(response.status, `${call}: ${text}`).to.equal(status);
    expect(response.headers.get('content-type'), call).to.match(/^application\/problem\+json/);
    const problem = JSON.parse(text) as Record<string, unknown>;
    expect(problem.status, call).to.equal(status);
    expect(problem.type, call).to.be.a('string');
    expect(problem.title, call).to.be.a('string');
    expect(problem.detail, call).to.be.a('string');
    expect(text, `${call} leaks a stack trace`).not.to.match(/\bat .+:\d+:\d+|node_modules|\/src\//);
    return problem as { errors?: Array<{ path: string; message: string }>; detail: string };
  }

  describe('POST /api/v1/agent-sessions', () => {
    it('creates an active session with defaults and answers 201, session_id and Location', async () => {
      const response = await server.request('POST', BASE, { body: { db_connection_id: 'db123' } });
      expect(response.status).to.equal(201);
      const { session_id } = (await response.json()) as { session_id: string };
      expect(session_id).to.match(/^sess_[A-Za-z0-9_-]{22,}$/);
      expect(response.headers.get('location')).to.equal(`${BASE}/${session_id}`);
      const session = await (await server.request('GET', `${BASE}/${session_id}`)).json();
      expect(session).to.include({
        id: session_id,
        db_connection_id: 'db123',
        status: 'active',
        mode: 'full_autonomy',
        recursion_limit: 100,
        title: null,
      });
      expect(session.metadata).to.deep.equal({});
      expect(session.created_at).to.match(ISO_UTC).and.equal(session.updated_at);
    });

    it('stores every documented field as given', async () => {
      const id = await create({
        db_connection_id: 'db123',
        mode: 'analysis',
        recursion_limit: 150,
        title: 'Monthly Sales Analysis',
        metadata: { department: 'finance', nested: { deep: [1, 2] } },
      });
      const session = await (await server.request('GET', `${BASE}/${id}`)).json();
      expect(Object.keys(session).sort()).to.deep.equal([...SESSION_FIELDS].sort());
      expect(session).to.deep.include({
        mode: 'analysis',
        recursion_limit: 150,
        title: 'Monthly Sales Analysis',
        metadata: { department: 'finance', nested: { deep: [1, 2] } },
      });
    });

    it('gives every session a different id', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, () => create()));
      expect(new Set(ids).size).to.equal(20);
    });

    const invalidBodies: Array<[string, unknown, string]> = [
      ['recursion_limit 0', { db_connection_id: 'db', recursion_limit: 0 }, 'recursion_limit'],
      ['recursion_limit 501', { db_connection_id: 'db', recursion_limit: 501 }, 'recursion_limit'],
      ['recursion_limit 1.5', { db_connection_id: 'db', recursion_limit: 1.5 }, 'recursion_limit'],
      ['recursion_limit "100"', { db_connection_id: 'db', recursion_limit: '100' }, 'recursion_limit'],
      ['a missing db_connection_id', { title: 'x' }, 'db_connection_id'],
      ['an empty db_connection_id', { db_connection_id: '' }, 'db_connection_id'],
      ['a 257-character db_connection_id', { db_connection_id: 'x'.repeat(257) }, 'db_connection_id'],
      ['an unknown mode', { db_connection_id: 'db', mode: 'turbo' }, 'mode'],
      ['a 257-character title', { db_connection_id: 'db', title: 't'.repeat(257) }, 'title'],
      ['metadata as an array', { db_connection_id: 'db', metadata: [1, 2] }, 'metadata'],
      ['metadata as a string', { db_connection_id: 'db', metadata: 'x' }, 'metadata'],
      ['an unknown field', { db_connection_id: 'db', recursionLimit: 5 }, 'recursionLimit'],
      ['a status on create', { db_connection_id: 'db', status: 'paused' }, 'status'],
    ];
    for (const [what, body, field] of invalidBodies) {
      it(`refuses ${what} with 400 naming ${field}`, async () => {
        const problem = await expectProblem(await server.request('POST', BASE, { body }), 400, `POST ${what}`);
        expect(problem.errors?.map((e) => e.path)).to.include(field);
      });
    }

    it('refuses a __proto__ key anywhere in metadata with 400', async () => {
      for (const raw of [
        '{"db_connection_id":"db","metadata":{"__proto__":{"polluted":true}}}',
        '{"db_connection_id":"db","metadata":{"a":{"constructor":{"prototype":{"x":1}}}}}',
      ]) {
        const problem = await expectProblem(await server.request('POST', BASE, { body: raw }), 400, raw);
        expect(problem.errors?.[0].path).to.match(/^metadata\./);
      }
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect((await (await server.request('GET', BASE)).json()).total).to.equal(0);
    });

    it('refuses metadata nested deeper than 10 levels or larger than 64 KiB', async () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 10; i++) deep = { d: deep };
      await expectProblem(await server.request('POST', BASE, { body: { db_connection_id: 'db', metadata: deep } }), 400, 'deep');
      const big = { blob: 'x'.repeat(64 * 1024) };
      await expectProblem(await server.request('POST', BASE, { body: { db_connection_id: 'db', metadata: big } }), 400, 'big');
    });

    it('refuses malformed JSON with 400', async () => {
      await expectProblem(await server.request('POST', BASE, { body: '{"db_connection_id": ' }), 400, 'malformed');
    });

    it('refuses a body that is not application/json with 415', async () => {
      const response = await server.request('POST', BASE, {
        body: 'db_connection_id=db',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      await expectProblem(response, 415, 'form body');
    });

    it('refuses a body over the limit with 413', async () => {
      const body = JSON.stringify({ db_connection_id: 'db', title: 'x'.repeat(300 * 1024) });
      await expectProblem(await server.request('POST', BASE, { body }), 413, 'oversize');
    });

    it('refuses a missing body with 400', async () => {
      await expectProblem(await server.request('POST', BASE), 400, 'no body');
    });
  });

  describe('GET /api/v1/agent-sessions', () => {
    it('lists newest first with filters, exact totals and echoed paging', async () => {
      const a = await create({ db_connection_id: 'db-a' });
      const b = await create({ db_connection_id: 'db-b' });
      const c = await create({ db_connection_id: 'db-a' });
      await server.request('POST', `${BASE}/${c}/pause`);
      const all = await (await server.request('GET', BASE)).json();
      expect(all).to.include({ total: 3, limit: 100, offset: 0 });
      expect(all.sessions.map((s: { id: string }) => s.id)).to.deep.equal([c, b, a]);
      const filtered = await (await server.request('GET', `${BASE}?db_connection_id=db-a&status=active&limit=10`)).json();
      expect(filtered).to.include({ total: 1, limit: 10, offset: 0 });
      expect(filtered.sessions.map((s: { id: string }) => s.id)).to.deep.equal([a]);
      const page = await (await server.request('GET', `${BASE}?limit=1&offset=1`)).json();
      expect(page).to.include({ total: 3, limit: 1, offset: 1 });
      expect(page.sessions.map((s: { id: string }) => s.id)).to.deep.equal([b]);
      expect(Object.keys(page.sessions[0]).sort()).to.deep.equal([...SESSION_FIELDS].sort());
    });

    it('answers an offset past the end with an empty page and the real total', async () => {
      await create();
      const page = await (await server.request('GET', `${BASE}?offset=5`)).json();
      expect(page).to.deep.equal({ sessions: [], total: 1, limit: 100, offset: 5 });
    });

    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['offset=-1', 'offset'],
      ['offset=x', 'offset'],
      ['status=sleeping', 'status'],
      ['stauts=active', 'stauts'],
    ]) {
      it(`refuses ?${query} with 400 naming ${field}`, async () => {
        const problem = await expectProblem(await server.request('GET', `${BASE}?${query}`), 400, query);
        expect(problem.errors?.map((e) => e.path)).to.include(field);
      });
    }
  });

  describe('GET /api/v1/agent-sessions/{id}', () => {
    it('answers the session with an ETag', async () => {
      const id = await create();
      const response = await server.request('GET', `${BASE}/${id}`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('etag')).to.equal('"1"');
    });
  });

  describe('PATCH /api/v1/agent-sessions/{id}', () => {
    it('changes title, status and metadata; metadata replaces the whole object', async () => {
      const id = await create({ db_connection_id: 'db', title: 'old', metadata: { a: 1, b: 2 } });
      const before = await (await server.request('GET', `${BASE}/${id}`)).json();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await server.request('PATCH', `${BASE}/${id}`, {
        body: { title: 'new', status: 'running', metadata: { c: 3 } },
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get('etag')).to.equal('"2"');
      const after = await response.json();
      expect(after).to.deep.include({ title: 'new', status: 'running', metadata: { c: 3 }, created_at: before.created_at });
      expect(after.updated_at > before.updated_at).to.equal(true);
      expect(await (await server.request('GET', `${BASE}/${id}`)).json()).to.deep.equal(after);
    });

    it('clears the title with null and metadata with null', async () => {
      const id = await create({ db_connection_id: 'db', title: 'x', metadata: { a: 1 } });
      const after = await (await server.request('PATCH', `${BASE}/${id}`, { body: { title: null, metadata: null } })).json();
      expect(after).to.deep.include({ title: null, metadata: {} });
    });

    it('treats an empty object and a same-status PATCH as no-ops that keep updated_at', async () => {
      const id = await create();
      const before = await (await server.request('GET', `${BASE}/${id}`)).json();
      for (const body of [{}, { status: 'active' }]) {
        const response = await server.request('PATCH', `${BASE}/${id}`, { body });
        expect(response.status).to.equal(200);
        expect(response.headers.get('etag')).to.equal('"1"');
        expect(await response.json()).to.deep.equal(before);
      }
    });

    it('refuses a transition the state machine forbids with 400', async () => {
      const id = await create();
      await server.request('PATCH', `${BASE}/${id}`, { body: { status: 'completed' } });
      await expectProblem(await server.request('PATCH', `${BASE}/${id}`, { body: { status: 'active' } }), 400, 'completed->active');
    });

    it('refuses fields other than title, status and metadata with 400 naming them', async () => {
      const id = await create();
      const problem = await expectProblem(
        await server.request('PATCH', `${BASE}/${id}`, { body: { mode: 'query', recursion_limit: 3 } }),
        400,
        'PATCH mode',
      );
      expect(problem.errors?.map((e) => e.path).sort()).to.deep.equal(['mode', 'recursion_limit']);
    });

    it('applies a matching If-Match and refuses a stale one with 412', async () => {
      const id = await create();
      const ok = await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'a' }, headers: { 'if-match': '"1"' } });
      expect(ok.status).to.equal(200);
      const stale = await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'b' }, headers: { 'if-match': '"1"' } });
      await expectProblem(stale, 412, 'stale If-Match');
      expect((await (await server.request('GET', `${BASE}/${id}`)).json()).title).to.equal('a');
      const star = await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'c' }, headers: { 'if-match': '*' } });
      expect(star.status).to.equal(200);
    });

    it('refuses a malformed If-Match with 400 and a weak one with 412', async () => {
      const id = await create();
      await expectProblem(
        await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'a' }, headers: { 'if-match': 'v1' } }),
        400,
        'malformed If-Match',
      );
      await expectProblem(
        await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'a' }, headers: { 'if-match': 'W/"1"' } }),
        412,
        'weak If-Match',
      );
    });
  });

  describe('DELETE /api/v1/agent-sessions/{id}', () => {
    it('deletes once, then answers 404', async () => {
      const id = await create();
      const response = await server.request('DELETE', `${BASE}/${id}`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ status: 'deleted' });
      await expectProblem(await server.request('DELETE', `${BASE}/${id}`), 404, 'second DELETE');
      await expectProblem(await server.request('GET', `${BASE}/${id}`), 404, 'GET after DELETE');
    });

    it('refuses a stale If-Match with 412 and keeps the session', async () => {
      const id = await create();
      await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'v2' } });
      await expectProblem(await server.request('DELETE', `${BASE}/${id}`, { headers: { 'if-match': '"1"' } }), 412, 'DELETE');
      expect((await server.request('GET', `${BASE}/${id}`)).status).to.equal(200);
    });
  });

  describe('pause and resume', () => {
    it('pauses an active session and resumes it', async () => {
      const id = await create();
      const paused = await server.request('POST', `${BASE}/${id}/pause`);
      expect(paused.status).to.equal(200);
      expect(await paused.json()).to.deep.equal({ status: 'paused' });
      const resumed = await server.request('POST', `${BASE}/${id}/resume`);
      expect(resumed.status).to.equal(200);
      expect(await resumed.json()).to.deep.equal({ status: 'active' });
    });

    it('pauses a running session', async () => {
      const id = await create();
      await server.request('PATCH', `${BASE}/${id}`, { body: { status: 'running' } });
      expect((await server.request('POST', `${BASE}/${id}/pause`)).status).to.equal(200);
    });

    it('refuses to pause a paused session with 400', async () => {
      const id = await create();
      await server.request('POST', `${BASE}/${id}/pause`);
      await expectProblem(await server.request('POST', `${BASE}/${id}/pause`), 400, 'pause paused');
    });

    it('refuses to resume an active session with 400', async () => {
      const id = await create();
      await expectProblem(await server.request('POST', `${BASE}/${id}/resume`), 400, 'resume active');
    });

    it('refuses a stale If-Match on pause and resume with 412', async () => {
      const id = await create();
      await server.request('PATCH', `${BASE}/${id}`, { body: { title: 'v2' } });
      await expectProblem(await server.request('POST', `${BASE}/${id}/pause`, { headers: { 'if-match': '"1"' } }), 412, 'pause');
      await server.request('POST', `${BASE}/${id}/pause`);
      await expectProblem(await server.request('POST', `${BASE}/${id}/resume`, { headers: { 'if-match': '"2"' } }), 412, 'resume');
    });
  });

  describe('errors on every route', () => {
    const unknown = 'sess_doesNotExist00000000';
    for (const [method, path] of [
      ['GET', `${BASE}/${unknown}`],
      ['PATCH', `${BASE}/${unknown}`],
      ['DELETE', `${BASE}/${unknown}`],
      ['POST', `${BASE}/${unknown}/pause`],
      ['POST', `${BASE}/${unknown}/resume`],
      ['GET', `${BASE}/not-even-an-id`],
    ]) {
      it(`answers ${method} ${path.replace(BASE, '…')} with 404`, async () => {
        const body = method === 'PATCH' ? { title: 'x' } : undefined;
        await expectProblem(await server.request(method, path, { body }), 404, `${method} ${path}`);
      });
    }

    for (const [method, path, allow] of [
      ['PUT', BASE, 'GET, HEAD, POST, OPTIONS'],
      ['POST', `${BASE}/sess_x`, 'GET, HEAD, PATCH, DELETE, OPTIONS'],
      ['GET', `${BASE}/sess_x/pause`, 'POST, OPTIONS'],
      ['DELETE', `${BASE}/sess_x/resume`, 'POST, OPTIONS'],
    ]) {
      it(`answers ${method} ${path.replace(BASE, '…')} with 405 and Allow`, async () => {
        const response = await server.request(method, path);
        expect(response.headers.get('allow')).to.equal(allow);
        await expectProblem(response, 405, `${method} ${path}`);
      });
    }

    it('answers HEAD like GET without a body, and OPTIONS with 204 and Allow', async () => {
      const id = await create();
      const head = await server.request('HEAD', `${BASE}/${id}`);
      expect(head.status).to.equal(200);
      expect(head.headers.get('etag')).to.equal('"1"');
      expect(await head.text()).to.equal('');
      const options = await server.request('OPTIONS', `${BASE}/${id}/pause`);
      expect(options.status).to.equal(204);
      expect(options.headers.get('allow')).to.equal('POST, OPTIONS');
    });

    it('answers an unknown path with a 404 problem', async () => {
      await expectProblem(await server.request('GET', '/api/v2/nothing'), 404, 'unknown path');
    });
  });
});
