import { expect } from 'chai';
import { AgentSessionManager, MemorySessionStore } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

const BASE = '/api/v1/agent-sessions';

describe('a session PATCHed to running', () => {
  let server: TestServer;
  let storeTime: number;

  beforeEach(async () => {
    storeTime = Date.parse('2026-01-01T00:00:00Z');
    const store = new MemorySessionStore({ clock: () => storeTime });
    const manager = new AgentSessionManager(store, { runningLeaseMs: 1_000 });
    server = await startTestServer({ manager, leaseReaperIntervalMs: false });
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  async function createRunning(): Promise<string> {
    const created = await server.request('POST', BASE, { body: { db_connection_id: 'db-lease' } });
    const { session_id: id } = (await created.json()) as { session_id: string };
    const patched = await server.request('PATCH', `${BASE}/${id}`, { body: { status: 'running' } });
    expect(patched.status, `PATCH ${id} to running`).to.equal(200);
    return id;
  }

  async function sweep(): Promise<string[]> {
    const reaper = server.manager.startLeaseReaper({ intervalMs: 60_000 });
    try {
      return (await reaper.sweep()).map((session) => session.id);
    } finally {
      reaper.stop();
    }
  }

  it('is failed by the lease reaper when nobody renews it, with the reason in metadata.last_error', async () => {
    const id = await createRunning();
    storeTime += 1_000;
    expect(await sweep()).to.deep.equal([id]);
    const body = await (await server.request('GET', `${BASE}/${id}`)).json();
    expect(body.status).to.equal('failed');
    expect(body.metadata.last_error).to.match(/lease expired/);
  });

  it('stays running while PATCHes naming running renew it, without changing updated_at', async () => {
    const id = await createRunning();
    const before = await (await server.request('GET', `${BASE}/${id}`)).json();
    storeTime += 600;
    const renewed = await server.request('PATCH', `${BASE}/${id}`, { body: { status: 'running' } });
    expect(renewed.status).to.equal(200);
    storeTime += 600;
    expect(await sweep()).to.deep.equal([]);
    const after = await (await server.request('GET', `${BASE}/${id}`)).json();
    expect(after.status).to.equal('running');
    expect(after.updated_at).to.equal(before.updated_at);
  });
});
