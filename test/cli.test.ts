import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { ensureBuilt } from './helpers/build.js';

// The `npm start` entry, run as users run it: a child process, stopped with a signal.
function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['dist/cli.js'], { env: { ...process.env, ...env }, stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${output}`)));
  });
}

describe('npm start (dist/cli.js)', function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it('serves the API and, on SIGTERM, finishes an in-flight request before exiting 0', async () => {
    const { child, url } = await startCli({ PORT: '0', HOST: '127.0.0.1' });
    const exited = once(child, 'exit');
    // A create whose body arrives in two parts: the request is in flight when SIGTERM lands.
    const body = JSON.stringify({ db_connection_id: 'db-shutdown' });
    const answer = new Promise<{ status?: number; text: string }>((resolve, reject) => {
      const req = request(`${url}/api/v1/agent-sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => {
        child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(5)), 300);
      }, 200);
    });
    const response = await answer;
    expect(response.status, response.text).to.equal(201);
    expect(JSON.parse(response.text).session_id).to.match(/^sess_/);
    const [code] = await exited;
    expect(code).to.equal(0);
  });

  it('writes one access-log line per request and loses none of them on SIGTERM', async () => {
    const { child, url } = await startCli({ PORT: '0', HOST: '127.0.0.1' });
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(child, 'exit');
    const requests = 300;
    for (let i = 0; i < requests; i++) {
      const res = await fetch(`${url}/api/v1/agent-sessions/sess_unknown${i}`, { headers: { 'x-request-id': `access-${i}` } });
      await res.arrayBuffer();
    }
    // Sent right after the last answer: its line is still in the logger's buffer.
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).to.equal(0);
    const accessIds = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { reqId?: string })
      .map((entry) => entry.reqId)
      .filter((id): id is string => id?.startsWith('access-') ?? false);
    expect(accessIds).to.have.length(requests);
    expect(new Set(accessIds).size).to.equal(requests);
  });

  async function runToExit(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ['dist/cli.js', ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    return { code, stdout, stderr };
  }

  it('refuses a PORT that is not a number with exit code 1 and names it', async () => {
    const { code, stderr } = await runToExit([], { PORT: 'eighty' });
    expect(code).to.equal(1);
    expect(stderr).to.contain('PORT="eighty"');
  });

  it('refuses to serve a non-loopback HOST without API keys, and says how to proceed', async () => {
    const { code, stderr } = await runToExit(['serve'], { HOST: '0.0.0.0', PORT: '0' });
    expect(code).to.equal(1);
    expect(stderr).to.contain('HOST=0.0.0.0').and.to.contain('API_KEYS').and.to.contain('AUTH=off');
  });

  it('applies the connection limits from the environment (a stalled request gets 408)', async () => {
    const { child, url } = await startCli({ PORT: '0', REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000' });
    try {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // headers never finished
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await once(socket, 'close');
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(answer).to.contain('application/problem+json');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('applies EVENT_STREAM_MAX_CLIENTS and MEMORY_EVENT_RETENTION', async () => {
    const { child, url } = await startCli({ PORT: '0', HOST: '127.0.0.1', EVENT_STREAM_MAX_CLIENTS: '1', MEMORY_EVENT_RETENTION: '2' });
    const controller = new AbortController();
    try {
      for (let i = 0; i < 4; i++) {
        await fetch(`${url}/api/v1/agent-sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"db_connection_id":"db-cli"}' });
      }
      const stream = await fetch(`${url}/api/v1/agent-sessions/events`, { headers: { 'last-event-id': '1' }, signal: controller.signal });
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes('id: 4')) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).to.contain('event: missed');
      const refused = await fetch(`${url}/api/v1/agent-sessions/events`);
      expect(refused.status).to.equal(503);
      expect(refused.headers.get('retry-after')).to.match(/^[0-9]+$/);
    } finally {
      controller.abort();
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('lists every configuration variable with --help', async () => {
    const { code, stdout } = await runToExit(['--help'], {});
    expect(code).to.equal(0);
    const variables = ['PORT', 'HOST', 'STORE', 'REDIS_URL', 'REDIS_PREFIX', 'REDIS_EVENT_STREAM_MAX_LENGTH', 'LOG_LEVEL', 'BODY_LIMIT'];
    const streams = ['EVENT_STREAM_MAX_CLIENTS', 'EVENT_STREAM_BUFFER_BYTES', 'MEMORY_EVENT_RETENTION', 'MEMORY_EVENT_RETENTION_BYTES'];
    for (const variable of [...variables, 'CORS_ORIGINS', 'API_KEYS', 'AUTH', 'EVENT_HEARTBEAT_MS', 'LEASE_REAPER_INTERVAL_MS', ...streams, 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'DATABASE_SCHEMA']) {
      expect(stdout).to.contain(variable);
    }
  });
});
