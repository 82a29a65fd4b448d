import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseRawResponse, problemResponseFault } from './problem-check.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { openRawClient, trickle, type RawClient } from '../helpers/raw-client.js';

// Behaviour under slow and hostile clients: each is cut off (408, 431 or a closed socket) and
// the server keeps answering everyone else meanwhile. Timeouts are set short so tests stay fast;
// nothing here asserts how fast anything is, only what happens and in which order.

const FAST_CHECKS = { timeoutCheckIntervalMs: 100 };
const BASE = '/api/v1/agent-sessions';

async function expectNormalClientServed(server: TestServer): Promise<void> {
  const created = await server.request('POST', BASE, { body: { db_connection_id: 'db-ok' } });
  expect(created.status, 'create by a normal client').to.equal(201);
  const { session_id: id } = (await created.json()) as { session_id: string };
  const read = await server.request('GET', `${BASE}/${id}`);
  expect(read.status, `GET ${id} by a normal client`).to.equal(200);
}

function expectCutOffWith408OrClose(client: RawClient): void {
  const raw = client.received();
  if (raw === '') return; // a closed socket without an answer is an acceptable cut-off
  const { status, contentType, body } = parseRawResponse(raw);
  expect(status, raw).to.equal(408);
  expect(problemResponseFault(status, contentType, body)).to.equal(undefined);
}

describe('slow and hostile clients', function () {
  let server: TestServer;

  afterEach(async () => {
    await server.running.close(0);
    expect(server.unexpectedErrors, 'errors that became 500').to.deep.equal([]);
  });

  it('applies the documented connection limits by default', async () => {
    server = await startTestServer();
    const http = server.running.server;
    expect({
      requestTimeout: http.requestTimeout,
      headersTimeout: http.headersTimeout,
      keepAliveTimeout: http.keepAliveTimeout,
      maxHeadersCount: http.maxHeadersCount,
      maxHeaderSize: (http as typeof http & { maxHeaderSize?: number }).maxHeaderSize,
      // Node parses one header more than the limit of 100, so a request over it is refused with 431.
    }).to.deep.equal({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeadersCount: 101, maxHeaderSize: 16 * 1024 });
  });

  it('cuts off a request body that trickles in, while other clients are answered', async () => {
    server = await startTestServer({ requestTimeoutMs: 1_000, ...FAST_CHECKS });
    const slow = await openRawClient(server.running.url);
    const body = JSON.stringify({ db_connection_id: 'db-slow', title: 'x'.repeat(200) });
    slow.socket.write(`POST /api/v1/agent-sessions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    trickle(slow, body, 100, 2);

    await expectNormalClientServed(server);
    expect(slow.isClosed(), 'the slow client is still connected while others are served').to.equal(false);

    await slow.closed;
    expectCutOffWith408OrClose(slow);
    const { total } = await server.manager.list({ dbConnectionId: 'db-slow' });
    expect(total, 'sessions created by the cut-off request').to.equal(0);
  });

  it('cuts off headers that trickle in (slowloris), while other clients are answered', async () => {
    server = await startTestServer({ requestTimeoutMs: 2_000, headersTimeoutMs: 500, ...FAST_CHECKS });
    const slow = await openRawClient(server.running.url);
    slow.socket.write('GET /api/v1/agent-sessions HTTP/1.1\r\nHost: test\r\n');
    trickle(slow, `X-Padding: ${'a'.repeat(1000)}\r\n`, 50);

    await expectNormalClientServed(server);
    await slow.closed;
    expectCutOffWith408OrClose(slow);
  });

  it('answers headers over the size limit with 431 problem JSON and keeps serving', async () => {
    server = await startTestServer({ maxHeaderSizeBytes: 4 * 1024 });
    const hostile = await openRawClient(server.running.url);
    hostile.socket.write(`GET /api/v1/agent-sessions HTTP/1.1\r\nHost: test\r\nX-Big: ${'b'.repeat(8 * 1024)}\r\n\r\n`);
    await hostile.closed;

    const { status, contentType, body } = parseRawResponse(hostile.received());
    expect(status, hostile.received()).to.equal(431);
    expect(problemResponseFault(status, contentType, body)).to.equal(undefined);
    await expectNormalClientServed(server);
  });

  it('answers a malformed request line with 400 problem JSON', async () => {
    server = await startTestServer();
    const hostile = await openRawClient(server.running.url);
    hostile.socket.write('NOT A REQUEST\r\n\r\n');
    await hostile.closed;

    const { status, contentType, body } = parseRawResponse(hostile.received());
    expect(status, hostile.received()).to.equal(400);
    expect(problemResponseFault(status, contentType, body)).to.equal(undefined);
  });

  it('cuts idle connections that never send a request, while other clients are answered', async () => {
    server = await startTestServer({ requestTimeoutMs: 1_000, headersTimeoutMs: 500, ...FAST_CHECKS });
    const idle = await Promise.all(Array.from({ length: 200 }, () => openRawClient(server.running.url)));

    await expectNormalClientServed(server);
    await Promise.all(idle.map((client) => client.closed));
    expect(idle.filter((client) => client.isClosed())).to.have.length(200);
  });

  it('closes connections over maxConnections at once and serves the ones under it', async () => {
    server = await startTestServer({ maxConnections: 5 });
    const held = await Promise.all(Array.from({ length: 5 }, () => openRawClient(server.running.url)));
    const excess = await openRawClient(server.running.url);
    await excess.closed;
    expect(excess.received(), 'an answer on a refused connection').to.equal('');

    const first = held[0];
    first.socket.write('GET /api/v1/agent-sessions HTTP/1.1\r\nHost: test\r\n\r\n');
    while (!first.received().includes('\r\n\r\n')) await sleep(10);
    expect(parseRawResponse(first.received()).status).to.equal(200);
    expect(held.some((client) => client.isClosed()), 'a connection under the limit was closed').to.equal(false);
    for (const client of held) client.socket.destroy();
  });

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    server = await startTestServer({ keepAliveTimeoutMs: 300 });
    const client = await openRawClient(server.running.url);
    client.socket.write('GET /api/v1/agent-sessions HTTP/1.1\r\nHost: test\r\n\r\n');
    await client.closed;
    expect(parseRawResponse(client.received()).status).to.equal(200);
  });
});
