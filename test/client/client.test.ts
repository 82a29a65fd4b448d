import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AgentSessionApiError,
  AgentSessionClient,
  InvalidInputApiError,
  InvalidTransitionApiError,
  PreconditionFailedApiError,
  SessionNotFoundApiError,
  StoreUnavailableApiError,
  WriteOutcomeUnknownApiError,
} from '../../src/client/index.js';
import { API_ERROR_CLASSES } from '../../src/client/errors.js';
import { createAgentSessionManager, StoreUnavailableError, WriteOutcomeUnknownError, type SessionStore } from '../../src/index.js';
import { PROBLEM_TYPES } from '../../src/server/index.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

/** A store whose backend is down: every call fails the way a real store reports it. */
async function unreachable(): Promise<never> {
  throw new StoreUnavailableError('connect ECONNREFUSED 10.0.0.7:6379');
}
const unreachableStore: SessionStore = { insert: unreachable, get: unreachable, list: unreachable, update: unreachable, delete: unreachable };

/** Runs `call`, expects it to reject with `ErrorClass`, and returns the error. */
async function rejection<T extends Error>(call: Promise<unknown>, ErrorClass: abstract new (...args: never[]) => T): Promise<T> {
  const error = await call.then(
    (value) => expect.fail(`expected ${ErrorClass.name}, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  expect(error, String(error)).to.be.instanceOf(ErrorClass);
  return error as T;
}

describe('AgentSessionClient', () => {
  let server: TestServer;
  let client: AgentSessionClient;

  beforeEach(async () => {
    server = await startTestServer();
    client = new AgentSessionClient({ baseUrl: server.running.url });
  });

  afterEach(async () => {
    await server.running.close();
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  describe('success', () => {
    it('creates a session and gets it back with its etag', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db123', title: 'Sales', metadata: { team: 'finance' } });
      expect(session_id).to.match(/^sess_/);
      const { session, etag } = await client.get(session_id);
      expect(session).to.include({ id: session_id, db_connection_id: 'db123', status: 'active', title: 'Sales' });
      expect(session.metadata).to.deep.equal({ team: 'finance' });
      expect(etag).to.equal('"1"');
    });

    it('lists with filters and paging', async () => {
      await client.create({ db_connection_id: 'db1' });
      const second = await client.create({ db_connection_id: 'db1' });
      await client.create({ db_connection_id: 'db2' });
      const page = await client.list({ db_connection_id: 'db1', status: 'active', limit: 1, offset: 0 });
      expect(page.total).to.equal(2);
      expect(page.limit).to.equal(1);
      expect(page.sessions.map((s) => s.id)).to.deep.equal([second.session_id]);
      expect((await client.list()).total).to.equal(3);
    });

    it('updates with a matching ifMatch and answers the new session and etag', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db1' });
      const { etag } = await client.get(session_id);
      const updated = await client.update(session_id, { title: 'Renamed', status: 'running' }, { ifMatch: etag });
      expect(updated.session).to.include({ title: 'Renamed', status: 'running' });
      expect(updated.etag).to.equal('"2"');
    });

    it('pauses and resumes, each answering the new status and etag', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db1' });
      expect(await client.pause(session_id)).to.deep.equal({ status: 'paused', etag: '"2"' });
      expect(await client.resume(session_id, { ifMatch: '"2"' })).to.deep.equal({ status: 'active', etag: '"3"' });
    });

    it('deletes once; the second delete is not found', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db1' });
      expect(await client.delete(session_id, { ifMatch: '"1"' })).to.deep.equal({ status: 'deleted' });
      await rejection(client.delete(session_id), SessionNotFoundApiError);
    });

    it('keeps a path prefix in baseUrl and sends the configured headers through the given fetch', async () => {
      const seen: Array<{ url: string; headers: Headers }> = [];
      const recordingFetch: typeof fetch = async (input, init) => {
        seen.push({ url: String(input), headers: new Headers(init?.headers) });
        return fetch(String(input).replace('/behind-proxy', ''), init);
      };
      const proxied = new AgentSessionClient({
        baseUrl: `${server.running.url}/behind-proxy/`,
        fetch: recordingFetch,
        headers: { 'x-api-key': 'k1' },
      });
      const { session_id } = await proxied.create({ db_connection_id: 'db1' });
      await proxied.pause(session_id, { ifMatch: '"1"' });
      expect(seen.map((s) => s.url)).to.deep.equal([
        `${server.running.url}/behind-proxy/api/v1/agent-sessions`,
        `${server.running.url}/behind-proxy/api/v1/agent-sessions/${session_id}/pause`,
      ]);
      expect(seen.map((s) => s.headers.get('x-api-key'))).to.deep.equal(['k1', 'k1']);
      expect(seen[1].headers.get('if-match')).to.equal('"1"');
    });
  });

  describe('session ids in paths', () => {
    it('percent-encodes an id so /, ? and # stay part of it', async () => {
      const id = 'sess_a/b?c=1#d %';
      const error = await rejection(client.get(id), SessionNotFoundApiError);
      expect(error.problem?.detail).to.equal(`Agent session '${id}' does not exist.`);
      await rejection(client.pause(id), SessionNotFoundApiError);
    });

    it('refuses ids that URL parsing would turn into another path', async () => {
      for (const id of ['', '.', '..']) {
        await rejection(client.get(id), TypeError);
      }
    });
  });

  describe('errors', () => {
    it('rejects an unknown id with SessionNotFoundApiError carrying the problem', async () => {
      const error = await rejection(client.update('sess_missing', { title: 'x' }), SessionNotFoundApiError);
      expect(error).to.be.instanceOf(AgentSessionApiError);
      expect(error.status).to.equal(404);
      expect(error.type).to.equal('urn:agent-sessions:problem:session-not-found');
      expect(error.problem).to.include({ status: 404, title: 'Agent session not found' });
      expect(error.message).to.include('PATCH').and.include('sess_missing');
    });

    it('rejects invalid input with InvalidInputApiError naming each bad field', async () => {
      const error = await rejection(client.create({ db_connection_id: 'db1', recursion_limit: 0 }), InvalidInputApiError);
      expect(error.status).to.equal(400);
      expect(error.errors.map((e) => e.path)).to.deep.equal(['recursion_limit']);
      const query = await rejection(client.list({ limit: 1001 }), InvalidInputApiError);
      expect(query.errors.map((e) => e.path)).to.deep.equal(['limit']);
    });

    it('rejects a forbidden transition with InvalidTransitionApiError', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db1' });
      await client.pause(session_id);
      const error = await rejection(client.pause(session_id), InvalidTransitionApiError);
      expect(error.status).to.equal(400);
      expect(error.type).to.equal('urn:agent-sessions:problem:invalid-transition');
    });

    it('rejects a stale ifMatch with PreconditionFailedApiError and changes nothing', async () => {
      const { session_id } = await client.create({ db_connection_id: 'db1' });
      const { etag: stale } = await client.get(session_id);
      await client.update(session_id, { title: 'first' });
      const error = await rejection(client.update(session_id, { title: 'second' }, { ifMatch: stale }), PreconditionFailedApiError);
      expect(error.status).to.equal(412);
      await rejection(client.delete(session_id, { ifMatch: stale }), PreconditionFailedApiError);
      expect((await client.get(session_id)).session.title).to.equal('first');
    });

    it('rejects with StoreUnavailableApiError when the server cannot reach its store', async () => {
      const down = await startTestServer({ manager: createAgentSessionManager({ store: unreachableStore }) });
      try {
        const downClient = new AgentSessionClient({ baseUrl: down.running.url });
        const error = await rejection(downClient.create({ db_connection_id: 'db1' }), StoreUnavailableApiError);
        expect(error.status).to.equal(503);
        expect(error.message, 'store internals').not.to.include('10.0.0.7');
        await rejection(downClient.list(), StoreUnavailableApiError);
        expect(down.unexpectedErrors, 'a 503 is expected, not a fault').to.deep.equal([]);
      } finally {
        await down.running.close();
      }
    });

    it('rejects with WriteOutcomeUnknownApiError (a StoreUnavailableApiError) when a write may have been applied', async () => {
      const timingOut: SessionStore = {
        ...unreachableStore,
        insert: async () => {
          throw new WriteOutcomeUnknownError();
        },
      };
      const down = await startTestServer({ manager: createAgentSessionManager({ store: timingOut }) });
      try {
        const downClient = new AgentSessionClient({ baseUrl: down.running.url });
        const error = await rejection(downClient.create({ db_connection_id: 'db1' }), WriteOutcomeUnknownApiError);
        expect(error).to.be.instanceOf(StoreUnavailableApiError);
        expect(error.status).to.equal(503);
        expect(error.message).to.match(/agent session 'sess_[^']+' may or may not exist/);
      } finally {
        await down.running.close();
      }
    });

    it('maps only problem types the server really uses', () => {
      const serverTypes = PROBLEM_TYPES.map((p) => p.type);
      for (const slug of Object.keys(API_ERROR_CLASSES)) {
        expect(serverTypes, slug).to.include(`urn:agent-sessions:problem:${slug}`);
      }
    });
  });

  describe('responses that are not from the API', () => {
    let proxy: Server;
    let proxyUrl: string;

    before(async () => {
      // Stands in for a reverse proxy whose upstream is down.
      proxy = createServer((_request, response) => {
        response.writeHead(502, { 'content-type': 'text/html' }).end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      }).listen(0, '127.0.0.1');
      await new Promise((resolve) => proxy.once('listening', resolve));
      proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    });

    after(() => new Promise((resolve) => proxy.close(resolve)));

    it('turns an HTML error page into an AgentSessionApiError without a problem', async () => {
      const error = await rejection(new AgentSessionClient({ baseUrl: proxyUrl }).get('sess_1'), AgentSessionApiError);
      expect(error.status).to.equal(502);
      expect(error.problem).to.equal(undefined);
      expect(error.type).to.equal('about:blank');
      expect(error.message).to.include('text/html').and.include('502 Bad Gateway');
    });

    it('lets a network failure reject with fetch’s own error', async () => {
      const closed = await startTestServer();
      await closed.running.close();
      const error = await new AgentSessionClient({ baseUrl: closed.running.url }).list().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TypeError);
      expect(error).not.to.be.instanceOf(AgentSessionApiError);
    });
  });
});
