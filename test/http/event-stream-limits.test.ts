import { expect } from 'chai';
import { COLLECTION_PATH } from '../../src/server/index.js';
import { MemorySessionStore, createAgentSessionManager } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { openRawClient, stalledEventReader } from '../helpers/raw-client.js';
import { connectSse } from '../helpers/sse-client.js';

const bigMetadata = (i: number) => ({ i, blob: 'x'.repeat(60 * 1024) });

describe('event streams under pressure', function () {
  this.timeout(60_000);
  let server: TestServer;
  let store: MemorySessionStore;

  afterEach(async () => {
    await server?.running.close(1000);
    expect(server.unexpectedErrors).to.deep.equal([]);
  });

  async function start(options: Parameters<typeof startTestServer>[0] = {}): Promise<void> {
    store = new MemorySessionStore();
    server = await startTestServer({ manager: createAgentSessionManager({ store }), ...options });
  }

  it('closes a client that stops reading once its send buffer is full, after an overflow event saying why', async () => {
    await start({ eventStreamBufferBytes: 64 * 1024 });
    const reader = await connectSse(server.url(`${COLLECTION_PATH}/events`));
    const stalled = await stalledEventReader(server.url(`${COLLECTION_PATH}/events`));
    const session = await server.manager.create({ dbConnectionId: 'db-slow' });
    let updates = 0;
    // The kernel's socket buffers take a few MB first; after that, 64 KiB more closes the client.
    while (server.manager.events.listenerCount() > 1 && updates < 2000) {
      await server.manager.update(session.id, { metadata: bigMetadata(++updates) });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.manager.events.listenerCount(), `listeners after ${updates} updates of 60 KB`).to.equal(1);
    // The reading client is unaffected, and got every update.
    const seen = await reader.until((m) => m.data.session.metadata.i === updates);
    expect(seen.filter((m) => m.data.type === 'updated')).to.have.length(updates);
    stalled.socket.resume();
    await stalled.closed;
    expect(stalled.received()).to.match(/event: overflow\ndata: \{"detail":"This client fell more than 65536 bytes behind/);
    reader.close();
  });

  it('lets a client resuming from further back than its buffer catch up over a few reconnects', async () => {
    await start({ eventStreamBufferBytes: 16 * 1024 });
    const session = await server.manager.create({ dbConnectionId: 'db-catch-up' });
    for (let i = 1; i <= 40; i++) await server.manager.update(session.id, { metadata: { i, pad: 'p'.repeat(2000) } }); // ~80 KB
    let lastEventId = '1';
    const seen: number[] = [];
    let connections = 0;
    while (seen[seen.length - 1] !== 40 && connections < 20) {
      connections++;
      const client = await connectSse(server.url(`${COLLECTION_PATH}/events`), { 'Last-Event-ID': lastEventId });
      await Promise.race([client.ended, client.until((m) => m.data.session?.metadata.i === 40).catch(() => undefined)]);
      client.close();
      const changes = client.messages.filter((m) => m.data.session); // not the overflow notice
      for (const message of changes) seen.push(message.data.session.metadata.i as number);
      if (changes.length > 0) lastEventId = changes[changes.length - 1].id as string;
    }
    expect(seen, `after ${connections} connections`).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(connections).to.be.above(1);
  });

  it('encodes each event once, however many clients receive it', async () => {
    await start();
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectSse(server.url(`${COLLECTION_PATH}/events`))));
    const stringify = JSON.stringify;
    let encodedEvents = 0;
    JSON.stringify = ((value: unknown, ...rest: never[]) => {
      if (value && typeof value === 'object' && 'previous_status' in value) encodedEvents++;
      return stringify(value, ...rest);
    }) as typeof JSON.stringify;
    try {
      const session = await server.manager.create({ dbConnectionId: 'db-once' });
      await server.manager.update(session.id, { title: 'once' });
    } finally {
      JSON.stringify = stringify;
    }
    for (const client of clients) await client.until((m) => m.data.session.title === 'once');
    expect(encodedEvents, 'event encodings for 2 events and 5 clients').to.equal(2);
    for (const client of clients) client.close();
  });

  it('refuses a stream past the configured cap with 503 problem JSON and Retry-After, and admits one when a place frees', async () => {
    await start({ eventStreamMaxClients: 2 });
    const first = await connectSse(server.url(`${COLLECTION_PATH}/events`));
    const second = await connectSse(server.url(`${COLLECTION_PATH}/events`));
    const refused = await server.request('GET', `${COLLECTION_PATH}/events`);
    expect(refused.status).to.equal(503);
    expect(refused.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).to.match(/^[0-9]+$/);
    const problem = await refused.json();
    expect(problem).to.include({ status: 503, type: 'urn:agent-sessions:problem:too-many-streams' });
    expect(problem.detail).to.contain('2 event streams');
    first.close();
    await first.ended;
    let admitted: Awaited<ReturnType<typeof connectSse>> | undefined;
    // The server notices the client left on its next event loop turn.
    for (let attempt = 0; attempt < 100 && !admitted; attempt++) {
      const candidate = await connectSse(server.url(`${COLLECTION_PATH}/events`));
      if (candidate.status === 200) admitted = candidate;
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(admitted?.status, 'a stream after one closed').to.equal(200);
    admitted?.close();
    second.close();
  });

  it('prints no MaxListenersExceededWarning with 12 open streams', async () => {
    await start();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const clients = await Promise.all(Array.from({ length: 12 }, () => connectSse(server.url(`${COLLECTION_PATH}/events`))));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => `${w.name}: ${w.message}`)).to.deep.equal([]);
      for (const client of clients) client.close();
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('answers HEAD like GET: 404 for an unknown session, 200 for a known one', async () => {
    await start();
    const missing = await server.request('HEAD', `${COLLECTION_PATH}/sess_doesnotexist/events`);
    expect(missing.status).to.equal(404);
    const session = await server.manager.create({ dbConnectionId: 'db-head' });
    const known = await server.request('HEAD', `${COLLECTION_PATH}/${session.id}/events`);
    expect(known.status).to.equal(200);
    expect(known.headers.get('content-type')).to.match(/^text\/event-stream/);
    expect(server.manager.events.listenerCount()).to.equal(0);
  });

  it('allows Last-Event-ID in CORS preflights, so a browser can resume', async () => {
    await start({ corsOrigins: ['https://app.example'] });
    const preflight = await server.request('OPTIONS', `${COLLECTION_PATH}/events`, {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'last-event-id' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).to.contain('last-event-id');
  });

  it('tells a client resuming from before the retained events that it missed some (event: missed), then replays what is kept', async () => {
    store = new MemorySessionStore({ eventRetention: 3 });
    server = await startTestServer({ manager: createAgentSessionManager({ store }) });
    const session = await server.manager.create({ dbConnectionId: 'db-missed' }); // event 1
    for (const title of ['a', 'b', 'c', 'd']) await server.manager.update(session.id, { title }); // events 2-5
    const raw = await openRawClient(server.url('/'));
    raw.socket.write(`GET ${COLLECTION_PATH}/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n`);
    while (!raw.received().includes('id: 5')) await new Promise((resolve) => setTimeout(resolve, 5));
    const body = raw.received();
    expect(body).to.match(/event: missed\ndata: \{"type":"missed","detail":"[^"]+"\}\n\n/);
    expect(body.indexOf('event: missed')).to.be.below(body.indexOf('id: 3'));
    expect(body).not.to.contain('id: 2\n');
    raw.socket.destroy();

    const recent = await openRawClient(server.url('/'));
    recent.socket.write(`GET ${COLLECTION_PATH}/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 3\r\n\r\n`);
    while (!recent.received().includes('id: 5')) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(recent.received()).not.to.contain('event: missed');
    recent.socket.destroy();
  });
});
