import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../../src/server/auth/api-keys.js';
import { ensureBuilt } from '../helpers/build.js';
import { connectSse } from '../helpers/sse-client.js';

const BASE = '/api/v1/agent-sessions';
const FIRST = 'first-key-0123456789abcdef';
const SECOND = 'second-key-0123456789abcdef';
const entry = (name: string, key: string, scopes: string[]) => ({ name, sha256: digestOf(key).toString('hex'), scopes });

/** The server as `npm start` runs it, its log lines collected as they come. */
function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['dist/cli.js'], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) resolve({ child, url: match[1], output: () => output });
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${output}`)));
  });
}

async function waitForLog(output: () => string, text: string, occurrences: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (output().split(text).length - 1 < occurrences) {
    if (Date.now() > deadline) throw new Error(`no '${text}' in the log: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** One request over `agent`, so a kept-alive connection can be reused across the reload. */
function call(agent: Agent, url: string, method: string, key: string, body?: unknown): Promise<{ status: number; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode as number, socket: req.socket }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('API_KEYS_FILE reload on SIGHUP', function () {
  this.timeout(60_000);
  before(ensureBuilt);

  it('swaps the keys without dropping open connections or streams, and keeps them when the new file is bad', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agent-sessions-reload-')), 'keys.json');
    writeFileSync(file, JSON.stringify([entry('first', FIRST, ['sessions:write'])]));
    const { child, url, output } = await startCli({ PORT: '0', HOST: '127.0.0.1', API_KEYS_FILE: file, LOG_LEVEL: 'info' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const stream = await connectSse(`${url}${BASE}/events`, { authorization: `Bearer ${FIRST}` });
    try {
      expect(stream.status).to.equal(200);
      const before = await call(agent, `${url}${BASE}`, 'POST', FIRST, { db_connection_id: 'db-1' });
      expect(before.status).to.equal(201);

      writeFileSync(file, JSON.stringify([entry('second', SECOND, ['sessions:write'])]));
      child.kill('SIGHUP');
      await waitForLog(output, 'API key file reloaded', 1);

      // The kept-alive connection carries on (same socket), now under the new file.
      const refused = await call(agent, `${url}${BASE}`, 'GET', FIRST);
      expect(refused.status).to.equal(401);
      expect(refused.socket).to.equal(before.socket);
      const created = await call(agent, `${url}${BASE}`, 'POST', SECOND, { db_connection_id: 'db-2' });
      expect(created.status).to.equal(201);
      // The stream opened before the reload is still connected and still delivering.
      const messages = await stream.until((message) => message.data.session?.db_connection_id === 'db-2');
      expect(messages.map((m) => m.data.session.db_connection_id)).to.deep.equal(['db-1', 'db-2']);

      writeFileSync(file, JSON.stringify([{ name: 'broken', sha256: 'zz', scopes: ['sessions:read'] }]));
      child.kill('SIGHUP');
      await waitForLog(output, 'API key file not reloaded', 1);
      expect(output()).to.contain('entry 0 (\\"broken\\")');
      expect((await call(agent, `${url}${BASE}`, 'GET', SECOND)).status).to.equal(200);
      expect(output()).not.to.contain(SECOND);
    } finally {
      stream.close();
      agent.destroy();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses to start on a bad file, exit code 1, naming the entry', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agent-sessions-badkeys-')), 'keys.json');
    writeFileSync(file, JSON.stringify([entry('ok', FIRST, ['sessions:read']), { name: 'typo', key: SECOND, scopes: ['sessions:reed'] }]));
    const child = spawn(process.execPath, ['dist/cli.js'], { env: { ...process.env, PORT: '0', API_KEYS_FILE: file }, stdio: 'pipe' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).to.equal(1);
    expect(stderr).to.contain(`${file} entry 1 ("typo")`);
    expect(stderr).to.contain('sessions:reed');
    expect(stderr).not.to.contain(SECOND);
  });
});
