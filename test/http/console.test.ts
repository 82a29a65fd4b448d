import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/http-server.js';
import { expectProblem } from './problem-check.js';

const KEY = 'console-test-key-0123456789';
const COLLECTION = '/api/v1/agent-sessions';

/** The `name=value` part of the login cookie a response sets. */
function cookieOf(response: Response): string {
  const header = response.headers.get('set-cookie') ?? '';
  return header.split(';')[0]!;
}

describe('the console (HTTP)', () => {
  describe('without API keys', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer()));
    after(() => server.running.close());

    it('serves the page with a policy that allows only its own assets', async () => {
      const response = await server.request('GET', '/console');
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.match(/^text\/html/);
      const policy = response.headers.get('content-security-policy') ?? '';
      expect(policy).to.contain("default-src 'none'").and.contain("script-src 'self'").and.contain("connect-src 'self'");
      expect(policy).not.to.contain('unsafe-inline');
      const html = await response.text();
      expect(html).to.contain('/console/console.js');
      expect(html, 'no asset from another origin').not.to.match(/(src|href)="(https?:)?\/\//);
    });

    it('serves its script modules and stylesheet from the package', async () => {
      for (const [file, type] of [
        ['console.js', /^text\/javascript/],
        ['api.js', /^text\/javascript/],
        ['console.css', /^text\/css/],
      ] as const) {
        const response = await server.request('GET', `/console/${file}`);
        expect(response.status, file).to.equal(200);
        expect(response.headers.get('content-type'), file).to.match(type);
        expect((await response.text()).length, file).to.be.greaterThan(100);
      }
    });

    it('answers 404 problem JSON for a file it does not ship', async () => {
      await expectProblem(await server.request('GET', '/console/package.json'), 404, 'not-found');
    });

    it('says no login is needed', async () => {
      expect(await (await server.request('GET', '/console/auth')).json()).to.deep.equal({ login_required: false });
    });
  });

  describe('with API keys', () => {
    let server: TestServer;
    before(async () => (server = await startTestServer({ apiKeys: [KEY] })));
    after(() => server.running.close());

    const login = (key: string) => server.request('POST', '/console/login', { body: { key } });

    it('serves the page and says a login is needed, without a key', async () => {
      expect((await server.request('GET', '/console')).status).to.equal(200);
      expect(await (await server.request('GET', '/console/auth')).json()).to.deep.equal({ login_required: true });
    });

    it('exchanges a key for an HttpOnly, SameSite=Strict cookie that is not the key', async () => {
      const response = await login(KEY);
      expect(response.status).to.equal(204);
      const header = response.headers.get('set-cookie') ?? '';
      expect(header).to.match(/^agent_sessions_console=[A-Za-z0-9_-]{20,};/);
      expect(header).to.contain('HttpOnly').and.contain('SameSite=Strict').and.contain('Path=/');
      expect(header, 'no Secure flag over plain HTTP').not.to.contain('Secure');
      expect(header).not.to.contain(KEY);
    });

    it('marks the cookie Secure when the console is reached over HTTPS through a proxy', async () => {
      const response = await server.request('POST', '/console/login', { body: { key: KEY }, headers: { 'x-forwarded-proto': 'https' } });
      expect(response.headers.get('set-cookie')).to.match(/; HttpOnly; SameSite=Strict; Secure$/);
    });

    it('refuses a wrong key with 401 and sets no cookie', async () => {
      const response = await login('not-the-right-key-at-all');
      await expectProblem(response, 401, 'unauthorized');
      expect(response.headers.get('set-cookie')).to.equal(null);
    });

    it('refuses a login body without a key with 400 naming the field', async () => {
      const response = await server.request('POST', '/console/login', { body: { token: KEY } });
      const problem = await expectProblem(response, 400, 'invalid-input');
      expect(JSON.stringify(problem.errors)).to.contain('key').and.contain('token');
    });

    it('lets the cookie read the API and its event stream', async () => {
      const cookie = cookieOf(await login(KEY));
      expect((await server.request('GET', COLLECTION, { headers: { cookie } })).status).to.equal(200);
      const controller = new AbortController();
      const events = await fetch(server.url(`${COLLECTION}/events`), { headers: { cookie }, signal: controller.signal });
      expect(events.status).to.equal(200);
      controller.abort();
    });

    it('refuses a forged or cleared cookie with 401', async () => {
      await expectProblem(await server.request('GET', COLLECTION, { headers: { cookie: 'agent_sessions_console=forged' } }), 401, 'unauthorized');
      await expectProblem(await server.request('GET', COLLECTION, { headers: { cookie: `agent_sessions_console=${KEY}` } }), 401, 'unauthorized');
    });

    it('refuses a cookie-authenticated write without X-Requested-With with 403', async () => {
      const cookie = cookieOf(await login(KEY));
      const response = await server.request('POST', COLLECTION, { body: { db_connection_id: 'db-csrf' }, headers: { cookie } });
      const problem = await expectProblem(response, 403, 'forbidden');
      expect(problem.detail).to.contain('X-Requested-With');
      expect((await server.manager.list({ dbConnectionId: 'db-csrf' })).total).to.equal(0);
    });

    it('refuses a cookie-authenticated write from another origin with 403', async () => {
      const cookie = cookieOf(await login(KEY));
      const headers = { cookie, 'x-requested-with': 'agent-sessions-console', origin: 'http://evil.example' };
      const response = await server.request('POST', COLLECTION, { body: { db_connection_id: 'db-csrf' }, headers });
      const problem = await expectProblem(response, 403, 'forbidden');
      expect(problem.detail).to.contain('http://evil.example');
      expect((await server.manager.list({ dbConnectionId: 'db-csrf' })).total).to.equal(0);
    });

    it('accepts a cookie-authenticated write from its own origin with X-Requested-With', async () => {
      const cookie = cookieOf(await login(KEY));
      const origin = new URL(server.url('/')).origin;
      const headers = { cookie, 'x-requested-with': 'agent-sessions-console', origin };
      const response = await server.request('POST', COLLECTION, { body: { db_connection_id: 'db-console' }, headers });
      expect(response.status).to.equal(201);
    });

    it('still needs no X-Requested-With for writes authenticated by a key header', async () => {
      const response = await server.request('POST', COLLECTION, { body: { db_connection_id: 'db-key' }, headers: { 'x-api-key': KEY } });
      expect(response.status).to.equal(201);
    });

    it('logs out by expiring the cookie, only when asked with X-Requested-With', async () => {
      await expectProblem(await server.request('POST', '/console/logout'), 403, 'forbidden');
      const response = await server.request('POST', '/console/logout', { headers: { 'x-requested-with': 'agent-sessions-console' } });
      expect(response.status).to.equal(204);
      expect(response.headers.get('set-cookie')).to.match(/^agent_sessions_console=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
    });
  });
});
