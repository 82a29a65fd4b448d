import { expect } from 'chai';
import { captureLogs } from '../helpers/capture-logs.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { bearer, KEYS, testKeyRing } from './keys.js';

const BASE = '/api/v1/agent-sessions';

describe('tenancy: search, count and prune', function () {
  this.timeout(60_000);
  let server: TestServer;
  afterEach(() => server?.running.close());

  it("finds and counts only the caller's db connections; another db named in the filter matches nothing", async () => {
    server = await startTestServer({ apiKeyRing: testKeyRing() });
    const own = await server.manager.create({ dbConnectionId: 'db-a' });
    await server.manager.create({ dbConnectionId: 'db-b' });
    const search = async (body: unknown) => (await server.request('POST', `${BASE}/search`, { body, headers: bearer(KEYS.readerA) })).json();
    const count = async (body: unknown) => (await (await server.request('POST', `${BASE}/count`, { body, headers: bearer(KEYS.readerA) })).json()).count;
    const all = await search({});
    expect(all.sessions.map((s: { id: string }) => s.id)).to.deep.equal([own.id]);
    expect(all.total).to.equal(1);
    expect(await count({})).to.equal(1);
    expect(await search({ db_connection_id: 'db-b' })).to.deep.equal({ sessions: [], next_cursor: null, total: 0 });
    expect(await count({ db_connection_id: 'db-b' })).to.equal(0);
    // A bad filter is still a 400, whichever db it names.
    expect((await server.request('POST', `${BASE}/search`, { body: { db_connection_id: 'db-b', limit: 0 }, headers: bearer(KEYS.readerA) })).status).to.equal(400);
  });

  it('prunes only the db connections of a restricted admin, refuses another db (403) and audits each prune once', async () => {
    const { lines, logger } = captureLogs();
    server = await startTestServer({ logger, apiKeyRing: testKeyRing() });
    const byDb: Record<string, string> = {};
    for (const db of ['db-a', 'db-b', 'db-c']) {
      const session = await server.manager.create({ dbConnectionId: db });
      await server.manager.pause(session.id);
      byDb[db] = session.id;
    }
    expect((await server.request('POST', `${BASE}/prune`, { body: { status: 'paused' }, headers: bearer(KEYS.writerA) })).status).to.equal(403);
    const outside = await server.request('POST', `${BASE}/prune`, { body: { db_connection_id: 'db-c', status: 'paused' }, headers: bearer(KEYS.adminAB) });
    expect(outside.status).to.equal(403);
    const pruned = await server.request('POST', `${BASE}/prune`, { body: { status: 'paused' }, headers: bearer(KEYS.adminAB) });
    expect(await pruned.json()).to.deep.equal({ deleted: 2 });
    expect((await server.manager.get(byDb['db-c'])).status).to.equal('paused');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const audit = lines.filter((line) => line.audit).map((line) => line.audit as Record<string, unknown>);
    expect(audit.map(({ request_id: _, ...rest }) => rest)).to.deep.equal([
      { principal: 'writer-a', action: 'prune', session_id: null, outcome: 'forbidden' },
      { principal: 'admin-ab', action: 'prune', session_id: null, outcome: 'forbidden' },
      { principal: 'admin-ab', action: 'prune', session_id: null, outcome: 'ok' },
    ]);
  });
});
