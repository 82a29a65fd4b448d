import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Private redis-server processes for tests: each on a free port with its own temp dir. Tests
// never touch a Redis they did not start (so never the shared one on 6379).

/** A redis-server this test run started and owns. */
export interface PrivateRedis {
  port: number;
  url: string;
  dir: string;
  /** SIGKILLs the server: no shutdown, no final save. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (after `kill`). */
  restart(): Promise<void>;
  /** Stops the server and removes its dir. Safe to call twice. */
  destroy(): Promise<void>;
}

/** A TCP port nothing listens on right now (and, with `plus`, also port + plus, for cluster buses). */
export async function freePort(plus?: number): Promise<number> {
  for (;;) {
    const port = await listenAndClose(0);
    if (port + (plus ?? 0) > 65535) continue;
    if (plus === undefined || (await listenAndClose(port + plus).then(() => true, () => false))) return port;
  }
}

async function listenAndClose(port: number): Promise<number> {
  const server = createServer().listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: bound } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return bound;
}

/** Starts `redis-server` with `args` added (e.g. AOF or cluster flags) and waits until it serves. */
export async function startPrivateRedis(args: string[] = [], port?: number): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-sessions-redis-'));
  const chosenPort = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = await launchRedis(['--port', String(chosenPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...args]);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    running.kill(signal);
    await once(running, 'exit');
  };
  await launch();
  return {
    port: chosenPort,
    url: `redis://127.0.0.1:${chosenPort}`,
    dir,
    kill: () => stop('SIGKILL'),
    restart: launch,
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launchRedis(args: string[]): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}
