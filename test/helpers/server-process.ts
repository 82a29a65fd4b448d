import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

// Server instances as separate processes (the CLI), for tests of several instances sharing a backend.

const CLI_PATH = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** A server process started with `env` added; resolves with its base URL once it listens. */
export async function startServerProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_PATH], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/listening on (http:\/\/[^\s"]+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server process did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, url: (/listening on (http:\/\/[^\s"]+)/.exec(output) as RegExpExecArray)[1] };
}

/** SIGTERMs a server process and waits for it to exit. */
export async function stopServerProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/** One request that must succeed (status below 300). */
export async function callOk(base: string, method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).to.be.below(300);
  return response;
}
