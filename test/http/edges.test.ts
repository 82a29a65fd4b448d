import { expect } from 'chai';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

// HTTP edges around the API: non-API paths, requests Node's parser refuses, header counts,
// content encodings.

/** Sends `text` as it is and resolves with everything the server answered before closing. */
async function rawExchange(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  await once(socket, 'connect');
  socket.write(text);
  await Promise.race([once(socket, 'close'), once(socket, 'end')]);
  socket.destroy();
  return answer;
}

function problemOf(raw: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  expect(head, raw).to.match(/content-type: application\/problem\+json/i);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: JSON.parse(body) as Record<string, unknown> };
}

describe('HTTP edges', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer({ leaseReaperIntervalMs: false });
  });

  afterEach(async () => {
    await server.running.close(0);
    expect(server.unexpectedErrors, 'errors that became 500s').to.deep.equal([]);
  });

  describe('non-API paths', () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        it(`answers ${method} ${path} with 405 problem JSON and Allow`, async () => {
          const response = await server.request(method, path);
          const text = await response.text();
          expect(response.status, `${method} ${path}: ${text}`).to.equal(405);
          expect(response.headers.get('content-type'), `${method} ${path}`).to.match(/^application\/problem\+json/);
          expect(response.headers.get('allow'), `${method} ${path}`).to.equal('GET, HEAD, OPTIONS');
        });
      }
    }

    it('still answers GET and HEAD on them', async () => {
      for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
        expect((await server.request('GET', path)).status, `GET ${path}`).to.equal(200);
        expect((await server.request('HEAD', path)).status, `HEAD ${path}`).to.equal(200);
      }
    });
  });

  describe('requests Node would refuse or cut', () => {
    const BASE = '/api/v1/agent-sessions';
    const fillers = (count: number) => Array.from({ length: count }, (_, i) => `X-Filler-${i}: ${i}\r\n`).join('');

    async function createSession(): Promise<string> {
      const created = await server.request('POST', BASE, { body: { db_connection_id: 'db-edges' } });
      return ((await created.json()) as { session_id: string }).session_id;
    }

    it('refuses more headers than the limit with 431, so a late If-Match is never dropped', async () => {
      const id = await createSession();
      const body = JSON.stringify({ title: 'lost update' });
      const { host } = new URL(server.running.url);
      const raw = await rawExchange(
        server.running.url,
        `PATCH ${BASE}/${id} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
          `${fillers(100)}If-Match: "999"\r\nConnection: close\r\n\r\n${body}`,
      );
      const answer = problemOf(raw);
      expect(answer.status, raw.slice(0, 200)).to.equal(431);
      expect(String(answer.body.detail)).to.match(/more than 100 headers/);
      const session = await (await server.request('GET', `${BASE}/${id}`)).json();
      expect(session.title, 'title after the refused PATCH').to.equal(null);
    });

    it('reads the 100th header (an X-API-Key) and refuses the 101st with 431, never 401', async () => {
      await server.running.close(0);
      server = await startTestServer({ leaseReaperIntervalMs: false, apiKeys: ['key-aaaaaaaaaaaaaaaa'] });
      const { host } = new URL(server.running.url);
      const request = (fillerCount: number) =>
        rawExchange(
          server.running.url,
          `GET ${BASE} HTTP/1.1\r\nHost: ${host}\r\n${fillers(fillerCount)}X-API-Key: key-aaaaaaaaaaaaaaaa\r\nConnection: close\r\n\r\n`,
        );
      // Host + Connection + fillers + X-API-Key.
      expect(await request(97), '100 headers').to.match(/^HTTP\/1\.1 200 /);
      expect(problemOf(await request(98)).status, '101 headers').to.equal(431);
    });

    it('answers an HTTP/1.1 request without Host with 400 problem JSON', async () => {
      const answer = problemOf(await rawExchange(server.running.url, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'));
      expect(answer.status).to.equal(400);
      expect(String(answer.body.detail)).to.match(/Host/);
    });

    it('answers an Expect header other than 100-continue with 417 problem JSON', async () => {
      const { host } = new URL(server.running.url);
      const answer = problemOf(
        await rawExchange(server.running.url, `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nExpect: teapot\r\nConnection: close\r\n\r\n`),
      );
      expect(answer.status).to.equal(417);
      expect(answer.body.type).to.equal('urn:agent-sessions:problem:expectation-failed');
    });

    it('answers a gzip body with 415, naming Content-Encoding', async () => {
      const response = await server.request('POST', BASE, {
        body: JSON.stringify({ db_connection_id: 'db-edges' }),
        headers: { 'content-encoding': 'gzip' },
      });
      const problem = await response.json();
      expect(response.status, JSON.stringify(problem)).to.equal(415);
      expect(problem.detail).to.match(/Content-Encoding/);
    });

    it('refuses a body that is not valid UTF-8 with 400, storing nothing', async () => {
      const bytes = Buffer.concat([Buffer.from('{"db_connection_id":"db-'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const response = await fetch(server.url(BASE), { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
      const problem = (await response.json()) as { errors: unknown };
      expect(response.status, JSON.stringify(problem)).to.equal(400);
      expect(problem.errors).to.deep.equal([{ path: 'body', message: 'is not valid UTF-8' }]);
      expect((await (await server.request('GET', BASE)).json()).total).to.equal(0);
    });
  });

  describe('bounded error answers', () => {
    it('answers 250 KB of unknown keys with at most 20 issues and a small body', async () => {
      const body: Record<string, number> = { db_connection_id: 1 } as never;
      for (let i = 0; i < 12_000; i++) body[`unknown_${i}`] = i;
      expect(JSON.stringify(body).length).to.be.within(200_000, 256 * 1024);
      const response = await server.request('POST', '/api/v1/agent-sessions', { body });
      const text = await response.text();
      expect(response.status, text.slice(0, 300)).to.equal(400);
      const problem = JSON.parse(text) as { errors: Array<{ path: string }>; detail: string };
      expect(problem.errors).to.have.length(20);
      expect(problem.detail).to.match(/and \d+ more$/);
      expect(text.length, 'answer size in characters').to.be.below(4096);
    });

    it('caps the issues of the library too', async () => {
      const input: Record<string, unknown> = { dbConnectionId: 'db' };
      for (let i = 0; i < 1000; i++) input[`unknown_${i}`] = i;
      const error = await server.manager.create(input as never).then(
        () => undefined,
        (failure: unknown) => failure as { issues: unknown[]; omittedIssues: number },
      );
      expect(error?.issues).to.have.length(20);
      expect(error?.omittedIssues).to.equal(980);
    });
  });
});
