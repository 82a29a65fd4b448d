import { expect } from 'chai';
import { once } from 'node:events';
import { connect } from 'node:net';
import { COLLECTION_PATH } from '../../src/server/index.js';
import { MemorySessionStore, createAgentSessionManager } from '../../src/index.js';
import { captureLogs } from '../helpers/capture-logs.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { connectSse } from '../helpers/sse-client.js';

describe('event streams over HTTP (Server-Sent Events)', function () {
  let server: TestServer;
  let store: MemorySessionStore;

  beforeEach(async () => {
    store = new MemorySessionStore();
    server = await startTestServer({ manager: createAgentSessionManager({ store }), eventHeartbeatMs: 50 });
  });

  afterEach(async () => {
    await server.running.close(1000);
    expect(server.unexpectedErrors).to.deep.equal([]);
  });

  async function create(dbConnectionId = 'db-sse'): Promise<string> {
    const response = await server.request('POST', COLLECTION_PATH, { body: { db_connection_id: dbConnectionId } });
    return ((await response.json()) as { session_id: string }).session_id;
  }

  it('streams every change of one session with id lines, snake_case data, and ends after its deletion', async () => {
    const id = await create();
    const client = await connectSse(server.url(`${COLLECTION_PATH}/${id}/events`));
    expect(client.status).to.equal(200);
    expect(client.headers.get('content-type')).to.match(/^text\/event-stream/);
    expect(client.headers.get('cache-control')).to.include('no-cache');
    await server.request('PATCH', `${COLLECTION_PATH}/${id}`, { body: { title: 'renamed' } });
    await server.request('POST', `${COLLECTION_PATH}/${id}/pause`);
    await server.request('DELETE', `${COLLECTION_PATH}/${id}`);
    await client.ended;
    expect(client.messages.map((m) => [m.data.type, m.data.previous_status, m.data.session.status])).to.deep.equal([
      ['updated', 'active', 'active'],
      ['transitioned', 'active', 'paused'],
      ['deleted', 'paused', 'paused'],
    ]);
    expect(Object.keys(client.messages[0].data).sort()).to.deep.equal(['at', 'previous_status', 'session', 'type']);
    expect(client.messages[0].data.session).to.include({ id, db_connection_id: 'db-sse', title: 'renamed' });
    expect(client.messages.every((m) => /^[0-9]+$/.test(m.id ?? ''))).to.equal(true);
    expect(store.listenerCount).to.equal(0);
  });

  it('filters the collection stream by db_connection_id', async () => {
    const client = await connectSse(server.url(`${COLLECTION_PATH}/events?db_connection_id=db-b`));
    await create('db-a');
    const b = await create('db-b');
    const messages = await client.until((m) => m.data.session.id === b);
    expect(messages.map((m) => m.data.session.db_connection_id)).to.deep.equal(['db-b']);
    client.close();
  });

  it('resumes after Last-Event-ID', async () => {
    const first = await connectSse(server.url(`${COLLECTION_PATH}/events`));
    const a = await create();
    const b = await create();
    const seen = await first.until((m) => m.data.session.id === b);
    first.close();
    const c = await create();
    const resumed = await connectSse(server.url(`${COLLECTION_PATH}/events`), { 'Last-Event-ID': seen[0].id as string });
    const replay = await resumed.until((m) => m.data.session.id === c);
    expect(replay.map((m) => m.data.session.id)).to.deep.equal([b, c]);
    expect(seen[0].data.session.id).to.equal(a);
    resumed.close();
  });

  it('sends heartbeat comments at the configured interval', async () => {
    const client = await connectSse(server.url(`${COLLECTION_PATH}/events`));
    await client.untilComment((comment) => comment === 'heartbeat');
    client.close();
  });

  it('answers 404 for an unknown session, 400 for a bad filter, 405 with Allow for other methods', async () => {
    const missing = await server.request('GET', `${COLLECTION_PATH}/sess_doesnotexist/events`);
    expect(missing.status).to.equal(404);
    expect(missing.headers.get('content-type')).to.match(/^application\/problem\+json/);
    const bad = await server.request('GET', `${COLLECTION_PATH}/events?db_connection_id=&x=1`);
    expect(bad.status).to.equal(400);
    const post = await server.request('POST', `${COLLECTION_PATH}/events`);
    expect(post.status).to.equal(405);
    expect(post.headers.get('allow')).to.equal('GET, HEAD, OPTIONS');
    const id = await create();
    const patch = await server.request('PATCH', `${COLLECTION_PATH}/${id}/events`, { body: {} });
    expect(patch.status).to.equal(405);
  });

  it('does not take `events` for a session id', async () => {
    const response = await server.request('DELETE', `${COLLECTION_PATH}/events`);
    expect(response.status).to.equal(405);
  });

  it('ends open streams and closes promptly on server shutdown', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connectSse(server.url(`${COLLECTION_PATH}/events`))));
    const started = Date.now();
    await server.running.close(5000);
    await Promise.all(clients.map((client) => client.ended));
    expect(Date.now() - started, 'ms to close with open streams').to.be.below(2000);
    expect(server.manager.events.listenerCount()).to.equal(0);
    expect(store.listenerCount).to.equal(0);
  });

  it('releases the subscription of every client that disconnects (1,000 cycles)', async function () {
    this.timeout(60_000);
    for (let i = 0; i < 1000; i++) {
      const client = await connectSse(server.url(`${COLLECTION_PATH}/events`));
      client.close();
      await client.ended;
    }
    const deadline = Date.now() + 5000;
    while (server.manager.events.listenerCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(server.manager.events.listenerCount(), 'manager listeners').to.equal(0);
    expect(store.listenerCount, 'store listeners').to.equal(0);
    expect(server.running.server.listenerCount('request')).to.equal(1);
  });

  it('keeps a stream open past the request timeout, which bounds only how long a request may take to arrive', async () => {
    const bounded = await startTestServer({ eventHeartbeatMs: 50, requestTimeoutMs: 300, timeoutCheckIntervalMs: 100 });
    try {
      const client = await connectSse(bounded.url(`${COLLECTION_PATH}/events`));
      await new Promise((resolve) => setTimeout(resolve, 900));
      const response = await bounded.request('POST', COLLECTION_PATH, { body: { db_connection_id: 'db-late' } });
      const { session_id: id } = (await response.json()) as { session_id: string };
      const [message] = await client.until((m) => m.data.session.id === id);
      expect(message.data.type).to.equal('created');
      client.close();
    } finally {
      await bounded.running.close(1000);
    }
  });

  it('treats a client that resets the connection mid-stream as gone, not as an error to print', async () => {
    const printed: unknown[][] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void printed.push(args);
    try {
      const { lines, logger } = captureLogs('debug');
      const fast = await startTestServer({ manager: createAgentSessionManager({ store }), eventHeartbeatMs: 1, logger });
      const socket = connect(Number(new URL(fast.url('/')).port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`GET ${COLLECTION_PATH}/events HTTP/1.1\r\nHost: x\r\n\r\n`);
      await once(socket, 'data');
      socket.resetAndDestroy(); // RST: the server's next heartbeat write fails with ECONNRESET or EPIPE
      // Wait (up to 5 s, for a loaded machine) until the server's next write has met the reset.
      for (let waited = 0; waited < 5000 && !lines.some((line) => line.msg === 'client left mid-response'); waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await fast.running.close(200);
      expect(fast.unexpectedErrors).to.deep.equal([]);
      expect(fast.manager.events.listenerCount()).to.equal(0);
      // The reset did reach the server, so the assertions above tested the handling of it.
      expect(lines.map((line) => line.msg)).to.include('client left mid-response');
    } finally {
      console.error = consoleError;
    }
    expect(printed).to.deep.equal([]);
  });

});
