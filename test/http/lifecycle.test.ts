import { expect } from 'chai';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/http-server.js';

const BASE = '/api/v1/agent-sessions';
const API_KEY = 'k'.repeat(16);
const OTHER_KEY = 'o'.repeat(16);

async function expectProblem(response: TestResponse, status: number, call: string) {
  const text = await response.text();
  expect(response.status, `${call}: ${text}`).to.equal(status);
  expect(response.headers.get('content-type'), call).to.match(/^application\/problem\+json/);
  return JSON.parse(text) as { type: string; detail: string; errors?: Array<{ path: string; message: string }> };
}

describe('HTTP lifecycle: idempotent create, copy, emergency stop', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  const createWithKey = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    server.request('POST', BASE, { body, headers: { 'Idempotency-Key': key, ...headers } });

  async function create(body: Record<string, unknown>): Promise<string> {
    const response = await server.request('POST', BASE, { body });
    expect(response.status, `create ${JSON.stringify(body)}`).to.equal(201);
    return ((await response.json()) as { session_id: string }).session_id;
  }

  describe('POST /api/v1/agent-sessions with Idempotency-Key', () => {
    it("answers a retry with the first answer: 201, same session_id, Location and ETag, and 'Idempotent-Replayed: true'", async () => {
      const body = { db_connection_id: 'db-idem', title: 't', metadata: { a: 1, b: 2 } };
      const first = await createWithKey('retry-1', body);
      expect(first.status).to.equal(201);
      expect(first.headers.get('idempotent-replayed')).to.equal(null);
      const firstBody = await first.json();
      await server.request('PATCH', `${BASE}/${firstBody.session_id}`, { body: { title: 'changed since' } });
      const again = await createWithKey('retry-1', { metadata: { b: 2, a: 1 }, title: 't', db_connection_id: 'db-idem' });
      expect(again.status).to.equal(201);
      expect(await again.json()).to.deep.equal(firstBody);
      expect(again.headers.get('location')).to.equal(first.headers.get('location'));
      expect(again.headers.get('etag')).to.equal(first.headers.get('etag'));
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect((await (await server.request('GET', `${BASE}?db_connection_id=db-idem`)).json()).total).to.equal(1);
    });

    it('refuses the same key with a different body: 422 idempotency-key-reused', async () => {
      expect((await createWithKey('retry-2', { db_connection_id: 'db-idem' })).status).to.equal(201);
      const problem = await expectProblem(await createWithKey('retry-2', { db_connection_id: 'db-other' }), 422, 'reused key');
      expect(problem.type).to.equal('urn:agent-sessions:problem:idempotency-key-reused');
      expect((await (await server.request('GET', BASE)).json()).total).to.equal(1);
    });

    it('creates exactly one session for concurrent requests with one key', async () => {
      const responses = await Promise.all(Array.from({ length: 20 }, () => createWithKey('retry-3', { db_connection_id: 'db-idem' })));
      const ids = await Promise.all(responses.map(async (r) => (await r.json()).session_id as string));
      expect(responses.map((r) => r.status)).to.deep.equal(Array(20).fill(201));
      expect(new Set(ids).size).to.equal(1);
      expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length).to.equal(19);
      expect((await (await server.request('GET', BASE)).json()).total).to.equal(1);
    });

    it('refuses an over-long key with 400 naming the header, creating nothing', async () => {
      const problem = await expectProblem(await createWithKey('x'.repeat(256), { db_connection_id: 'db-idem' }), 400, 'long key');
      expect(problem.detail).to.contain('Idempotency-Key');
      expect((await (await server.request('GET', BASE)).json()).total).to.equal(0);
    });

    it('validates the body before looking at the key', async () => {
      await expectProblem(await createWithKey('retry-4', { db_connection_id: '' }), 400, 'invalid body');
      expect((await createWithKey('retry-4', { db_connection_id: 'db-idem' })).status).to.equal(201);
    });

    it('scopes keys per API key', async () => {
      await server.running.close();
      server = await startTestServer({ apiKeys: [API_KEY, OTHER_KEY] });
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      const body = { db_connection_id: 'db-idem' };
      const mine = await (await createWithKey('shared', body, as(API_KEY))).json();
      const theirs = await createWithKey('shared', body, as(OTHER_KEY));
      expect(theirs.headers.get('idempotent-replayed')).to.equal(null);
      expect((await theirs.json()).session_id).to.not.equal(mine.session_id);
      const mineAgain = await createWithKey('shared', body, { 'x-api-key': API_KEY });
      expect((await mineAgain.json()).session_id).to.equal(mine.session_id);
    });
  });

  describe('POST /api/v1/agent-sessions/{id}/copy', () => {
    it("answers 201 with a new active session carrying the source's fields", async () => {
      const source = await create({ db_connection_id: 'db-copy', mode: 'script', recursion_limit: 9, title: 'src', metadata: { k: 'v' } });
      await server.request('POST', `${BASE}/${source}/pause`);
      const response = await server.request('POST', `${BASE}/${source}/copy`);
      expect(response.status).to.equal(201);
      const { session_id } = await response.json();
      expect(session_id).to.match(/^sess_/).and.not.equal(source);
      expect(response.headers.get('location')).to.equal(`${BASE}/${session_id}`);
      expect(response.headers.get('etag')).to.equal('"1"');
      const copy = await (await server.request('GET', `${BASE}/${session_id}`)).json();
      expect(copy).to.include({ db_connection_id: 'db-copy', status: 'active', mode: 'script', recursion_limit: 9, title: 'src' });
      expect(copy.metadata).to.deep.equal({ k: 'v' });
    });

    it('takes title and metadata from the body', async () => {
      const source = await create({ db_connection_id: 'db-copy', title: 'src', metadata: { k: 'v' } });
      const response = await server.request('POST', `${BASE}/${source}/copy`, { body: { title: null, metadata: { n: 1 } } });
      const copy = await (await server.request('GET', `${BASE}/${(await response.json()).session_id}`)).json();
      expect(copy.title).to.equal(null);
      expect(copy.metadata).to.deep.equal({ n: 1 });
    });

    it('answers 404 for an unknown id and 400 naming a bad or unknown field', async () => {
      await expectProblem(await server.request('POST', `${BASE}/sess_nope/copy`), 404, 'copy unknown');
      const source = await create({ db_connection_id: 'db-copy' });
      const bad = await expectProblem(await server.request('POST', `${BASE}/${source}/copy`, { body: { mode: 'query' } }), 400, 'copy mode');
      expect(bad.errors?.map((e) => e.path)).to.deep.equal(['mode']);
      const long = await expectProblem(
        await server.request('POST', `${BASE}/${source}/copy`, { body: { title: 't'.repeat(257) } }),
        400,
        'copy long title',
      );
      expect(long.errors?.map((e) => e.path)).to.deep.equal(['title']);
    });

    it('answers 405 with Allow for other methods', async () => {
      const source = await create({ db_connection_id: 'db-copy' });
      const response = await server.request('GET', `${BASE}/${source}/copy`);
      await expectProblem(response, 405, 'GET copy');
      expect(response.headers.get('allow')).to.equal('POST, OPTIONS');
    });
  });

  describe('POST /api/v1/agent-sessions/pause and /resume', () => {
    it('pauses every active and running session of the db connection and answers the count', async () => {
      const a = await create({ db_connection_id: 'db-stop' });
      const b = await create({ db_connection_id: 'db-stop' });
      await server.request('PATCH', `${BASE}/${b}`, { body: { status: 'running' } });
      const done = await create({ db_connection_id: 'db-stop' });
      await server.request('PATCH', `${BASE}/${done}`, { body: { status: 'completed' } });
      const other = await create({ db_connection_id: 'db-other' });

      const response = await server.request('POST', `${BASE}/pause`, { body: { db_connection_id: 'db-stop' } });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal({ paused: 2 });
      const statuses = await Promise.all([a, b, done, other].map(async (id) => (await (await server.request('GET', `${BASE}/${id}`)).json()).status));
      expect(statuses).to.deep.equal(['paused', 'paused', 'completed', 'active']);

      const resumed = await server.request('POST', `${BASE}/resume`, { body: { db_connection_id: 'db-stop' } });
      expect(resumed.status).to.equal(200);
      expect(await resumed.json()).to.deep.equal({ resumed: 2 });
    });

    it('restricts the pause to the given status', async () => {
      await create({ db_connection_id: 'db-stop' });
      const running = await create({ db_connection_id: 'db-stop' });
      await server.request('PATCH', `${BASE}/${running}`, { body: { status: 'running' } });
      const response = await server.request('POST', `${BASE}/pause`, { body: { db_connection_id: 'db-stop', status: 'running' } });
      expect(await response.json()).to.deep.equal({ paused: 1 });
    });

    it('answers 200 with 0 when nothing matches', async () => {
      const response = await server.request('POST', `${BASE}/pause`, { body: { db_connection_id: 'db-none' } });
      expect(await response.json()).to.deep.equal({ paused: 0 });
    });

    it('refuses a body without db_connection_id, with a status it cannot move, or with an unknown field: 400 naming it', async () => {
      const cases: Array<[string, unknown, string]> = [
        ['pause', {}, 'db_connection_id'],
        ['pause', { db_connection_id: 'db', status: 'paused' }, 'status'],
        ['resume', { db_connection_id: 'db', status: 'active' }, 'status'],
        ['pause', { db_connection_id: 'db', all: true }, 'all'],
      ];
      for (const [verb, body, field] of cases) {
        const problem = await expectProblem(await server.request('POST', `${BASE}/${verb}`, { body }), 400, `${verb} ${JSON.stringify(body)}`);
        expect(problem.errors?.map((e) => e.path), `${verb} ${JSON.stringify(body)}`).to.deep.equal([field]);
      }
      await expectProblem(await server.request('POST', `${BASE}/pause`), 400, 'pause without body');
    });

    it('does not collide with the routes of one session', async () => {
      const id = await create({ db_connection_id: 'db-stop' });
      const single = await server.request('POST', `${BASE}/${id}/pause`);
      expect(await single.json()).to.deep.equal({ status: 'paused' });
      for (const verb of ['pause', 'resume']) {
        const response = await server.request('GET', `${BASE}/${verb}`);
        await expectProblem(response, 405, `GET /${verb}`);
        expect(response.headers.get('allow')).to.equal('POST, OPTIONS');
        await expectProblem(await server.request('DELETE', `${BASE}/${verb}`), 405, `DELETE /${verb}`);
      }
      expect((await server.request('GET', `${BASE}/${id}`)).status).to.equal(200);
    });
  });
});
