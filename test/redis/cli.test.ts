import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { COLLECTION_PATH } from '../../src/server/index.js';
import { keysOf, useStandaloneRedis } from '../helpers/redis-env.js';

const CLI_PATH = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

function startCli(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_PATH], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Waits until the CLI logs its URL. */
async function listeningUrl({ child, output }: ReturnType<typeof startCli>): Promise<string> {
  const listening = /listening on (http:\/\/[^\s"]+)/;
  while (!listening.test(output())) {
    if (child.exitCode !== null) throw new Error(`CLI exited: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return (listening.exec(output()) as RegExpExecArray)[1];
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

describe('agent-sessions CLI store selection', function () {
  this.timeout(20_000);
  const redis = useStandaloneRedis();

  it('exits 1 naming STORE when it is not memory, redis or postgres', async () => {
    const { child, output } = startCli({ STORE: 'mongodb' });
    const [code] = await once(child, 'exit');
    expect(code).to.equal(1);
    expect(output()).to.include('STORE').and.include('mongodb');
  });

  it('serves from Redis with STORE=redis, REDIS_URL and REDIS_PREFIX', async () => {
    const port = (redis.admin() as Redis).options.port;
    const cli = startCli({ STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'cli' });
    try {
      const url = await listeningUrl(cli);
      const response = await fetch(`${url}${COLLECTION_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ db_connection_id: 'db-cli' }),
      });
      expect(response.status).to.equal(201);
      const { session_id: id } = (await response.json()) as { session_id: string };
      expect(await keysOf([redis.admin() as Redis], 'cli')).to.include(`{cli}:s:${id}`);
    } finally {
      await stop(cli.child);
    }
  });

  it('exits 1 naming REDIS_EVENT_STREAM_MAX_LENGTH when it is not a positive whole number', async () => {
    for (const value of ['0', 'ten']) {
      const { child, output } = startCli({ STORE: 'redis', REDIS_EVENT_STREAM_MAX_LENGTH: value });
      const [code] = await once(child, 'exit');
      expect(code, output()).to.equal(1);
      expect(output()).to.include(`REDIS_EVENT_STREAM_MAX_LENGTH="${value}"`).and.include('whole number');
    }
  });

  it('trims the event stream to about REDIS_EVENT_STREAM_MAX_LENGTH entries', async () => {
    const admin = redis.admin() as Redis;
    const maxLength = 10;
    const changes = 300;
    const cli = startCli({
      STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${admin.options.port}`,
      REDIS_PREFIX: 'cli-trim',
      REDIS_EVENT_STREAM_MAX_LENGTH: String(maxLength),
    });
    try {
      const url = await listeningUrl(cli);
      const created = await fetch(`${url}${COLLECTION_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ db_connection_id: 'db-trim' }),
      });
      const { session_id: id } = (await created.json()) as { session_id: string };
      for (let i = 1; i < changes; i++) {
        const updated = await fetch(`${url}${COLLECTION_PATH}/${id}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ metadata: { i } }),
        });
        expect(updated.status).to.equal(200);
      }
      // MAXLEN ~ removes whole stream nodes only, and only while what is left stays at or above
      // the limit; a node holds at most stream-node-max-entries entries. So once trimming has
      // started, the stream holds from maxLength to maxLength + (node size - 1) entries, far
      // fewer than the 300 a stream left at the default of 10,000 would hold.
      const [, nodeEntries] = (await admin.config('GET', 'stream-node-max-entries')) as [string, string];
      const length = await admin.xlen('{cli-trim}:events');
      expect(length, `XLEN with stream-node-max-entries ${nodeEntries}`).to.be.within(maxLength, maxLength + Number(nodeEntries) - 1);
      expect(maxLength + Number(nodeEntries) - 1, 'the bound is below what an untrimmed stream holds').to.be.below(changes);
      // The newest event is kept: trimming drops the oldest.
      const [[, newest]] = await admin.xrevrange('{cli-trim}:events', '+', '-', 'COUNT', 1);
      expect(newest.join(' ')).to.include(JSON.stringify({ i: changes - 1 }));
    } finally {
      await stop(cli.child);
    }
  });
});
