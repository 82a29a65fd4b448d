import { expect } from 'chai';
import {
  AgentSessionApiError,
  AgentSessionClient,
  InvalidInputApiError,
  SessionNotFoundApiError,
  type SessionEventMessage,
  type SessionEventStream,
  type SessionEventStreamItem,
} from '../../src/client/index.js';
import { createAgentSessionManager, MemorySessionStore } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

/** The item as a change event (a missed notice fails the test that did not expect one). */
function change(item: SessionEventStreamItem): SessionEventMessage {
  if (item.type === 'missed') throw new Error(`unexpected missed notice: ${item.detail}`);
  return item;
}

/** Takes the next `count` events from the stream (failing after 5 s), leaving it open. */
async function take(stream: SessionEventStream, count: number): Promise<SessionEventMessage[]> {
  const events: SessionEventMessage[] = [];
  const timeout = setTimeout(() => stream.close(), 5000);
  try {
    while (events.length < count) {
      const next = await stream.next();
      if (next.done) throw new Error(`the stream ended after ${JSON.stringify(events)}`);
      events.push(change(next.value));
    }
    return events;
  } finally {
    clearTimeout(timeout);
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const summary = (events: SessionEventMessage[]) => events.map((e) => [e.type, e.previous_status, e.session.status]);

describe('AgentSessionClient.events (Server-Sent Events)', () => {
  let server: TestServer;
  let store: MemorySessionStore;
  let client: AgentSessionClient;

  beforeEach(async () => {
    store = new MemorySessionStore();
    // Heartbeats every 50 ms, so every stream below also carries comment lines between events.
    server = await startTestServer({ manager: createAgentSessionManager({ store }), eventHeartbeatMs: 50 });
    client = new AgentSessionClient({ baseUrl: server.running.url });
  });

  afterEach(async () => {
    // A short drain: after an aborted streaming fetch, Node's undici opens a spare connection that
    // never sends a request, and close() waits for it until the drain time is up.
    await server.running.close(200);
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  /** Every server-side subscription is gone: the client's connection was really released. */
  const released = () =>
    eventually(() => server.manager.events.listenerCount() === 0 && store.listenerCount === 0, 'subscriptions released');

  it('delivers create, pause, resume and delete of a db connection in order, with their ids', async () => {
    const stream = await client.events({ dbConnectionId: 'db-ev' });
    await client.create({ db_connection_id: 'db-other' });
    const { session_id: id } = await client.create({ db_connection_id: 'db-ev', title: 'Ünïcode ✓' });
    await new Promise((resolve) => setTimeout(resolve, 60)); // heartbeats in between
    await client.pause(id);
    await client.resume(id);
    await client.delete(id);
    const events = await take(stream, 4);
    stream.close();
    expect(summary(events)).to.deep.equal([
      ['created', null, 'active'],
      ['transitioned', 'active', 'paused'],
      ['transitioned', 'paused', 'active'],
      ['deleted', 'active', 'active'],
    ]);
    expect(events.every((e) => e.session.id === id && e.session.db_connection_id === 'db-ev')).to.equal(true);
    expect(events[0].session.title).to.equal('Ünïcode ✓');
    expect(Object.keys(events[0]).sort()).to.deep.equal(['at', 'id', 'previous_status', 'session', 'type']);
    const ids = events.map((e) => Number(e.id));
    expect(ids, 'increasing ids').to.deep.equal([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).to.equal(4);
    expect(stream.lastEventId).to.equal(events[3].id);
    await released();
  });

  it('follows one session and ends by itself after its deleted event', async () => {
    const { session_id: id } = await client.create({ db_connection_id: 'db1' });
    const { session_id: other } = await client.create({ db_connection_id: 'db1' });
    const stream = await client.events({ sessionId: id });
    await client.pause(other);
    await client.pause(id);
    await client.update(id, { title: 'renamed' });
    await client.delete(id);
    const events: SessionEventMessage[] = [];
    for await (const event of stream) events.push(change(event));
    expect(summary(events)).to.deep.equal([
      ['transitioned', 'active', 'paused'],
      ['updated', 'paused', 'paused'],
      ['deleted', 'paused', 'paused'],
    ]);
    expect(events[1].session.title).to.equal('renamed');
    await released();
  });

  it('resumes after lastEventId with no gap and no duplicate', async () => {
    const first = await client.events();
    const a = await client.create({ db_connection_id: 'db1' });
    const b = await client.create({ db_connection_id: 'db1' });
    const c = await client.create({ db_connection_id: 'db1' });
    const [seenA] = await take(first, 1);
    first.close();
    expect(seenA.session.id).to.equal(a.session_id);
    expect(first.lastEventId).to.equal(seenA.id);

    // The server replays b and c in one write, so both are read (and parsed) at once; the stream
    // still reports only what it handed out, so resuming from it does not skip c.
    const second = await client.events({ lastEventId: first.lastEventId });
    const [seenB] = await take(second, 1);
    second.close();
    expect(seenB.session.id).to.equal(b.session_id);
    expect(second.lastEventId).to.equal(seenB.id);

    const third = await client.events({ lastEventId: second.lastEventId });
    const d = await client.create({ db_connection_id: 'db1' });
    const rest = await take(third, 2);
    third.close();
    expect(rest.map((e) => e.session.id)).to.deep.equal([c.session_id, d.session_id]);
    await released();
  });

  it('yields a typed missed notice first when resuming from before what the server retains', async () => {
    const small = new MemorySessionStore({ eventRetention: 2 });
    const retaining = await startTestServer({ manager: createAgentSessionManager({ store: small }) });
    try {
      const api = new AgentSessionClient({ baseUrl: retaining.running.url });
      for (let i = 0; i < 4; i++) await api.create({ db_connection_id: 'db-missed' }); // events 1-4; 3 and 4 kept
      const stream = await api.events({ lastEventId: '1' });
      const [notice, third, fourth] = [await stream.next(), await stream.next(), await stream.next()].map((r) => r.value);
      expect(notice).to.deep.include({ type: 'missed' });
      expect((notice as { detail: string }).detail).to.be.a('string').and.not.equal('');
      expect([third, fourth].map((item) => (item as SessionEventMessage).id)).to.deep.equal(['3', '4']);
      expect(stream.lastEventId).to.equal('4');
      stream.close();
    } finally {
      await retaining.running.close(200);
    }
  });

  it('parses the server’s stream however the network splits it (here: one byte at a time)', async () => {
    // A fetch that hands the real response on in 1-byte chunks: lines, CR/LF pairs and UTF-8
    // characters all end up split across reads.
    const byteByByte: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = response.body as ReadableStream<Uint8Array>;
      const reader = body.getReader();
      const split = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) return controller.close();
          for (const byte of value) controller.enqueue(Uint8Array.of(byte));
        },
        cancel: (reason) => reader.cancel(reason),
      });
      return new Response(split, { status: response.status, headers: response.headers });
    };
    const slow = new AgentSessionClient({ baseUrl: server.running.url, fetch: byteByByte });
    const stream = await slow.events({ dbConnectionId: 'db-bytes' });
    await client.create({ db_connection_id: 'db-bytes', title: 'naïve — 日本語 🚀', metadata: { lines: 'a\nb\r\nc' } });
    await new Promise((resolve) => setTimeout(resolve, 60)); // a heartbeat or two
    await client.create({ db_connection_id: 'db-bytes', title: 'second' });
    const events = await take(stream, 2);
    stream.close();
    expect(events.map((e) => e.session.title)).to.deep.equal(['naïve — 日本語 🚀', 'second']);
    expect(events[0].session.metadata).to.deep.equal({ lines: 'a\nb\r\nc' });
    await released();
  });

  it('closes the connection when the consumer breaks out of the loop', async () => {
    const stream = await client.events();
    expect(server.manager.events.listenerCount()).to.equal(1);
    await client.create({ db_connection_id: 'db1' });
    await client.create({ db_connection_id: 'db1' });
    for await (const event of stream) {
      expect(event.type).to.equal('created');
      break;
    }
    await released();
    expect(await stream.next(), 'a broken-out stream stays ended').to.deep.equal({ done: true, value: undefined });
  });

  it('ends the iteration without an error when the signal aborts, even while waiting for an event', async () => {
    const controller = new AbortController();
    const stream = await client.events({ signal: controller.signal });
    const seen: SessionEventMessage[] = [];
    const loop = (async () => {
      for await (const event of stream) {
        seen.push(change(event));
      }
    })();
    await client.create({ db_connection_id: 'db1' });
    await eventually(() => seen.length === 1, 'first event');
    controller.abort();
    await loop; // resolves: an abort is an end, not a failure
    expect(seen.map((e) => e.type)).to.deep.equal(['created']);
    await released();
  });

  it('close() ends a pending next()', async () => {
    const stream = await client.events();
    const pending = stream.next();
    stream.close();
    expect(await pending).to.deep.equal({ done: true, value: undefined });
    await released();
  });

  it('rejects with fetch’s AbortError when the signal aborted before the stream opened', async () => {
    const error = await client.events({ signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).to.have.property('name', 'AbortError');
    expect(error).not.to.be.instanceOf(AgentSessionApiError);
    expect(server.manager.events.listenerCount()).to.equal(0);
  });

  it('ends the iteration when the server shuts down', async () => {
    const stream = await client.events();
    const loop = (async () => {
      const events: SessionEventMessage[] = [];
      for await (const event of stream) events.push(change(event));
      return events;
    })();
    await server.running.close(1000);
    expect(await loop).to.deep.equal([]);
  });

  it('settles when the connection is cut, and lastEventId then catches up on what was missed', async () => {
    const stream = await client.events();
    const a = await client.create({ db_connection_id: 'db1' });
    const [seenA] = await take(stream, 1);
    const pending = stream.next();
    server.running.server.closeAllConnections(); // cut mid-stream, not ended by the server
    // Node's fetch reports a cut `Connection: close` response as its end; other runtimes reject.
    const outcome = await pending.catch((error: unknown) => error);
    if (outcome instanceof Error) expect(outcome).to.be.instanceOf(TypeError).and.not.instanceOf(AgentSessionApiError);
    else expect(outcome).to.deep.equal({ done: true, value: undefined });
    expect(await stream.next(), 'a cut stream stays ended').to.deep.equal({ done: true, value: undefined });
    await released();

    const b = await client.create({ db_connection_id: 'db1' });
    const resumed = await client.events({ lastEventId: stream.lastEventId });
    const [seenB] = await take(resumed, 1);
    resumed.close();
    expect([seenA.session.id, seenB.session.id]).to.deep.equal([a.session_id, b.session_id]);
  });

  describe('problem responses', () => {
    it('rejects an unknown session with SessionNotFoundApiError', async () => {
      const error = await client.events({ sessionId: 'sess_missing' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SessionNotFoundApiError);
      expect(error).to.have.property('status', 404);
      expect((error as Error).message).to.include('GET').and.include('sess_missing/events');
      expect(server.manager.events.listenerCount()).to.equal(0);
    });

    it('rejects a bad filter with InvalidInputApiError naming it', async () => {
      const error = await client.events({ dbConnectionId: '' }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(InvalidInputApiError);
      expect((error as InvalidInputApiError).errors.map((e) => e.path)).to.deep.equal(['db_connection_id']);
    });

    it('rejects a missing API key with a 401 AgentSessionApiError, and streams with the key', async () => {
      const key = 'events-key-0123456789';
      const guarded = await startTestServer({ apiKeys: [key] });
      try {
        const anonymous = new AgentSessionClient({ baseUrl: guarded.running.url });
        const error = await anonymous.events().catch((e: unknown) => e);
        expect(error).to.be.instanceOf(AgentSessionApiError);
        expect(error).to.include({ status: 401, type: 'urn:agent-sessions:problem:unauthorized' });

        const authorized = new AgentSessionClient({ baseUrl: guarded.running.url, headers: { authorization: `Bearer ${key}` } });
        const stream = await authorized.events();
        const { session_id: id } = await authorized.create({ db_connection_id: 'db1' });
        const [event] = await take(stream, 1);
        stream.close();
        expect(event.session.id).to.equal(id);
      } finally {
        await guarded.running.close(1000);
      }
    });

    it('refuses sessionId together with dbConnectionId before any request', async () => {
      const both = { sessionId: 'sess_1', dbConnectionId: 'db1' } as unknown as Parameters<AgentSessionClient['events']>[0];
      const error = await client.events(both).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
    });
  });
});
