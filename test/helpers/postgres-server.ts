import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

// Private PostgreSQL servers for tests: initdb into a temp dir, then `postgres` on a free port of
// 127.0.0.1 (its unix socket in the temp dir too). Tests never touch a PostgreSQL they did not
// start (so never the one on 5432). PostgreSQL refuses to run as root: as root, both programs run
// as the unprivileged user `nobody`, owning the temp dir; as any other user they run as is.

/** A PostgreSQL server this test run started and owns. */
export interface PrivatePostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string;
  dir: string;
  /** SIGKILLs the server and every backend of it: no shutdown checkpoint. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after `kill`); crash recovery replays the WAL. */
  restart(): Promise<void>;
  /** Stops the server and removes its dir. Safe to call twice. */
  destroy(): Promise<void>;
}

export interface PostgresOptions {
  /** fsync and full-page writes on, as in production (default off: faster, and a SIGKILL of the server still loses nothing acknowledged). */
  durable?: boolean;
}

/** The directory of `initdb` and `postgres`: PG_BIN, else the newest /usr/lib/postgresql/<n>/bin, else PATH. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^[0-9]+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) if (existsSync(join(root, version, 'bin', 'postgres'))) return join(root, version, 'bin');
  return '';
}

/** True when the PostgreSQL server programs can be found. */
export function hasPostgres(): boolean {
  const bin = postgresBinDir();
  try {
    execFileSync(bin ? join(bin, 'postgres') : 'postgres', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** uid/gid to run the server as: `nobody` when we are root, nothing (ourselves) otherwise. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
  return { uid, gid };
}

export async function startPrivatePostgres(options: PostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const program = (name: string) => (bin ? join(bin, name) : name);
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'agent-sessions-pg-'));
  const data = join(dir, 'data');
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const asUser = { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } };
  execFileSync(program('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
    ...asUser,
    stdio: 'pipe',
  });
  const port = await freePort();
  const settings = [
    ['listen_addresses', '127.0.0.1'],
    ['unix_socket_directories', dir],
    ['max_connections', '300'],
    ['shared_buffers', '64MB'],
    ['fsync', options.durable ? 'on' : 'off'],
    ['full_page_writes', options.durable ? 'on' : 'off'],
    ['synchronous_commit', 'on'],
    ['logging_collector', 'off'],
  ];
  const args = ['-D', data, '-p', String(port), ...settings.flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = await launchPostgres(program('postgres'), args, asUser);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    // The whole process group: the postmaster and every backend, as a crash of the server would.
    try {
      process.kill(-(running.pid as number), signal);
    } catch {
      running.kill(signal);
    }
    await exited;
    if (signal === 'SIGKILL') await waitForBackendsToExit(data);
  };
  await launch();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dir,
    kill: () => stop('SIGKILL'),
    restart: launch,
    async destroy() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launchPostgres(program: string, args: string[], asUser: object): Promise<ChildProcess> {
  // detached: its own process group, so `kill` can take down the backends with the postmaster.
  const child = spawn(program, args, { ...asUser, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`postgres did not start:\n${output}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => fail(new Error(`postgres exited with ${code}:\n${output}`));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', fail);
    child.once('exit', onExit);
  });
  child.unref();
  return child;
}

/** After a SIGKILL, backends die when they notice; a restart must not find them holding shared memory. */
async function waitForBackendsToExit(data: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = execFileSync('ps', ['-eo', 'args']).toString();
    if (!out.includes(data)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
