import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { ChildServer } from './child-server.js';
import { SEED_SESSION_BODY } from './seed.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
// Linux reports a process's CPU time in clock ticks of 1/100 s (USER_HZ).
const MICROS_PER_TICK = 10_000;

/**
 * Our server exactly as `npm start` runs it: `node dist/cli.js` with no configuration but a free
 * port (memory store, access log on at `info`), its stdout (the log) going to a file as under a
 * process manager. The session the GET rounds read is created over HTTP.
 */
export async function startShippedServer(): Promise<ChildServer> {
  const logPath = join(tmpdir(), `agent-sessions-bench-shipped-${process.pid}.log`);
  const logFd = openSync(logPath, 'w');
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH, PORT: '0' }, stdio: ['ignore', logFd, 'inherit'] });
  closeSync(logFd);
  const exited = once(child, 'exit');
  const url = await listeningUrl(logPath, exited);
  const created = await fetch(`${url}/api/v1/agent-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(SEED_SESSION_BODY),
  });
  const { session_id: sessionId } = (await created.json()) as { session_id: string };
  return {
    url,
    sessionId,
    async cpuMicros() {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): user and system ticks.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK;
    },
    async stop() {
      child.kill();
      await exited;
      rmSync(logPath, { force: true }); // a full run's access log is hundreds of megabytes
    },
  };
}

/** The URL of the CLI's "listening" log line, once it is written. */
async function listeningUrl(logPath: string, exited: Promise<unknown>): Promise<string> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let waited = 0; waited < 30_000; waited += 50) {
    const match = /listening on (http:\/\/[^"\s]+)/.exec(readFileSync(logPath, 'utf8'));
    if (match) return match[1];
    if (gone) break;
    await sleep(50);
  }
  throw new Error(`node dist/cli.js did not report listening; see ${logPath}`);
}
