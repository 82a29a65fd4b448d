import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AgentSessionManager, MemorySessionStore, SessionNotFoundError } from '../src/index.js';
import { startTestServer } from './helpers/http-server.js';

describe('ids from a host generateId', () => {
  it('reach the session they name in every call (UUIDs)', async () => {
    const manager = new AgentSessionManager(new MemorySessionStore(), { generateId: () => randomUUID() });
    const { id } = await manager.create({ dbConnectionId: 'db-ids' });
    expect((await manager.get(id)).id, `get ${id}`).to.equal(id);
    expect((await manager.update(id, { title: 't' })).title, `update ${id}`).to.equal('t');
    expect((await manager.pause(id)).status, `pause ${id}`).to.equal('paused');
    expect((await manager.resume(id)).status, `resume ${id}`).to.equal('active');
    expect((await manager.runTask(id, async () => {})).outcome, `runTask ${id}`).to.equal('finished');
    await manager.delete(id);
    await assert.rejects(manager.get(id), SessionNotFoundError);
  });

  it('are refused at create when they could never be read back', async () => {
    for (const bad of ['a/b', '', 'x'.repeat(129), 'with space', '..']) {
      const store = new MemorySessionStore();
      const manager = new AgentSessionManager(store, { generateId: () => bad });
      await assert.rejects(manager.create({ dbConnectionId: 'db-ids' }), /generateId returned/, JSON.stringify(bad));
      expect((await store.list({ limit: 10, offset: 0 })).total, `sessions stored for ${JSON.stringify(bad)}`).to.equal(0);
    }
  });

  it('work over HTTP', async () => {
    const manager = new AgentSessionManager(new MemorySessionStore(), { generateId: () => randomUUID() });
    const server = await startTestServer({ manager });
    try {
      const created = await server.request('POST', '/api/v1/agent-sessions', { body: { db_connection_id: 'db-ids' } });
      const { session_id: id } = await created.json();
      expect((await server.request('GET', `/api/v1/agent-sessions/${id}`)).status, `GET ${id}`).to.equal(200);
      expect((await server.request('POST', `/api/v1/agent-sessions/${id}/pause`)).status, `pause ${id}`).to.equal(200);
      expect((await server.request('DELETE', `/api/v1/agent-sessions/${id}`)).status, `DELETE ${id}`).to.equal(200);
    } finally {
      await server.running.close();
    }
  });
});
