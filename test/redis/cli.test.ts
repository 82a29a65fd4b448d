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

describe('agent-sessions CLI store selection', function () {
  this.timeout(20_000);
  const redis = useStandaloneRedis();

  it('exits 1 naming STORE when it is neither memory nor redis', async () => {
    const { child, output } = startCli({ STORE: 'postgres' });
    const [code] = await once(child, 'exit');
    expect(code).to.equal(1);
    expect(output()).to.include('STORE').and.include('postgres');
  });

  it('serves from Redis with STORE=redis, REDIS_URL and REDIS_PREFIX', async () => {
    const port = (redis.admin() as Redis).options.port;
    const { child, output } = startCli({ STORE: 'redis', REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'cli' });
    try {
      while (!/listening on (http:\/\/[^\s"]+)/.test(output())) {
        if (child.exitCode !== null) throw new Error(`CLI exited: ${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const url = (/listening on (http:\/\/[^\s"]+)/.exec(output()) as RegExpExecArray)[1];
      const response = await fetch(`${url}${COLLECTION_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ db_connection_id: 'db-cli' }),
      });
      expect(response.status).to.equal(201);
      const { session_id: id } = (await response.json()) as { session_id: string };
      expect(await keysOf([redis.admin() as Redis], 'cli')).to.include(`{cli}:s:${id}`);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  });
});
