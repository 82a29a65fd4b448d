import { expect } from 'chai';
import { MemorySessionStore, StoreUnavailableError, createAgentSessionManager } from '../../src/index.js';
import { captureLogs } from '../helpers/capture-logs.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

const BASE = '/api/v1/agent-sessions';
const KEY = 'test-key-0123456789abcdef';

/** A real store whose backend is down: every call fails the way an unreachable store does. */
class UnreachableStore extends MemorySessionStore {
  override async ping(): Promise<void> {
    throw new StoreUnavailableError();
  }
  override async list(): Promise<never> {
    throw new StoreUnavailableError('connect ECONNREFUSED 10.1.2.3:6379');
  }
}

describe('operations', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.running.close();
    server = undefined;
  });

  describe('health checks', () => {
    it('answers /healthz and /readyz with 200 while the store is reachable', async () => {
      server = await startTestServer();
      expect(await (await server.request('GET', '/healthz')).json()).to.deep.equal({ status: 'ok' });
      expect(await (await server.request('GET', '/readyz')).json()).to.deep.equal({ status: 'ready' });
    });

    it('answers /readyz with a 503 problem when the store is unreachable, /healthz still 200', async () => {
      server = await startTestServer({ manager: createAgentSessionManager({ store: new UnreachableStore() }) });
      const ready = await server.request('GET', '/readyz');
      expect(ready.status).to.equal(503);
      expect(ready.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect((await server.request('GET', '/healthz')).status).to.equal(200);
    });

    it('answers a store outage on the API with 503 and no store internals', async () => {
      server = await startTestServer({ manager: createAgentSessionManager({ store: new UnreachableStore() }) });
      const response = await server.request('GET', BASE);
      expect(response.status).to.equal(503);
      const text = await response.text();
      expect(text).not.to.contain('10.1.2.3').and.not.to.contain('ECONNREFUSED');
    });
  });

  describe('metrics', () => {
    it('counts requests by route and status and reports sessions by status', async () => {
      server = await startTestServer();
      const created = await (await server.request('POST', BASE, { body: { db_connection_id: 'db' } })).json();
      await server.request('GET', `${BASE}/${created.session_id}`);
      await server.request('GET', `${BASE}/sess_unknown`);
      const text = await (await server.request('GET', '/metrics')).text();
      expect(text).to.contain(`http_request_duration_seconds_count{method="GET",route="${BASE}/:id",status="200"} 1`);
      expect(text).to.contain(`http_request_duration_seconds_count{method="GET",route="${BASE}/:id",status="404"} 1`);
      expect(text).to.contain(`http_request_duration_seconds_count{method="POST",route="${BASE}",status="201"} 1`);
      expect(text).to.contain('agent_sessions{status="active"} 1');
      expect(text).to.contain('agent_sessions{status="paused"} 0');
      expect(text).to.contain('http_request_duration_seconds_bucket{le="0.005",method="POST"');
      expect(text).to.contain('process_cpu_user_seconds_total');
    });

    it('labels unknown paths as one route, so random URLs cannot create series', async () => {
      server = await startTestServer();
      for (const path of ['/a', '/b', '/c/d']) await server.request('GET', path);
      const text = await (await server.request('GET', '/metrics')).text();
      expect(text).to.contain('http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 3');
      expect(text).not.to.contain('route="/a"');
    });

    it('labels the health checks and the metrics endpoint by their own paths', async () => {
      server = await startTestServer();
      await server.request('GET', '/healthz');
      await server.request('GET', '/readyz');
      await server.request('GET', '/metrics');
      const text = await (await server.request('GET', '/metrics')).text();
      expect(text).to.contain('http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1');
      expect(text).to.contain('http_request_duration_seconds_count{method="GET",route="/readyz",status="200"} 1');
      expect(text).to.contain('http_request_duration_seconds_count{method="GET",route="/metrics",status="200"} 1');
    });
  });

  describe('request logs and ids', () => {
    it('logs one line per request with the incoming X-Request-Id, and no bodies or keys', async () => {
      const { lines, logger } = captureLogs();
      server = await startTestServer({ logger, apiKeys: [KEY] });
      const response = await server.request('POST', BASE, {
        body: { db_connection_id: 'db', title: 'secret-title-xyz' },
        headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'req-42' },
      });
      expect(response.headers.get('x-request-id')).to.equal('req-42');
      await new Promise((resolve) => setTimeout(resolve, 20));
      const requestLines = lines.filter((l) => l.reqId === 'req-42');
      expect(requestLines).to.have.length(1);
      expect(requestLines[0]).to.include({ method: 'POST', path: BASE, route: BASE, status: 201 });
      const all = JSON.stringify(lines);
      expect(all).not.to.contain('secret-title-xyz');
      expect(all).not.to.contain(KEY);
    });

    it('replaces an unacceptable X-Request-Id with a fresh one', async () => {
      server = await startTestServer();
      const bad = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith spaces' } });
      const fresh = await server.request('GET', '/healthz');
      const made = [bad.headers.get('x-request-id'), fresh.headers.get('x-request-id')];
      for (const id of made) expect(id).to.match(/^[A-Za-z0-9_-]{8}-[0-9a-z]+$/);
      expect(made[0]).not.to.equal(made[1]);
    });
  });

  describe('API keys', () => {
    beforeEach(async () => {
      server = await startTestServer({ apiKeys: [KEY, 'second-key-abcdefghijkl'] });
    });

    it('refuses the API without a key, or with a wrong one, with a 401 problem', async () => {
      const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer wrong-key-0000000000000' }, { 'x-api-key': `${KEY}x` }, { authorization: KEY }];
      for (const headers of attempts) {
        const response = await server!.request('GET', BASE, { headers });
        expect(response.status, JSON.stringify(headers)).to.equal(401);
        expect(response.headers.get('www-authenticate')).to.contain('Bearer');
        expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
      }
      expect((await server!.request('GET', '/metrics')).status).to.equal(401);
      expect((await server!.request('GET', '/nowhere')).status).to.equal(401);
    });

    it('accepts any configured key as Bearer or X-API-Key', async () => {
      expect((await server!.request('GET', BASE, { headers: { authorization: `Bearer ${KEY}` } })).status).to.equal(200);
      expect((await server!.request('GET', BASE, { headers: { 'x-api-key': 'second-key-abcdefghijkl' } })).status).to.equal(200);
    });

    it('leaves the health checks open', async () => {
      expect((await server!.request('GET', '/healthz')).status).to.equal(200);
      expect((await server!.request('GET', '/readyz')).status).to.equal(200);
    });
  });

  describe('CORS and security headers', () => {
    it('sends no CORS headers unless origins are configured', async () => {
      server = await startTestServer();
      const response = await server.request('GET', BASE, { headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('allows configured origins only, and answers preflight without a key', async () => {
      server = await startTestServer({ corsOrigins: ['https://app.example'], apiKeys: [KEY] });
      const preflight = await server.request('OPTIONS', BASE, {
        headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH' },
      });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get('access-control-allow-origin')).to.equal('https://app.example');
      expect(preflight.headers.get('access-control-allow-headers')).to.contain('If-Match');
      const allowed = await server.request('GET', BASE, { headers: { origin: 'https://app.example', 'x-api-key': KEY } });
      expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers')).to.contain('ETag');
      const other = await server.request('GET', BASE, { headers: { origin: 'https://evil.example', 'x-api-key': KEY } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('sets JSON-API security headers on successes and errors alike', async () => {
      server = await startTestServer();
      for (const path of [BASE, `${BASE}/sess_missing`]) {
        const response = await server.request('GET', path);
        expect(response.headers.get('x-content-type-options')).to.equal('nosniff');
        expect(response.headers.get('cache-control')).to.equal('no-store');
        expect(response.headers.get('content-security-policy')).to.contain("default-src 'none'");
        expect(response.headers.get('x-frame-options')).to.equal('DENY');
      }
    });
  });
});
