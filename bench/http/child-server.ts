import { once } from 'node:events';
import { closeSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTsx } from '../fork-tsx.js';

/** A server running in its own process, so the load generator never shares its core. */
export interface ChildServer {
  url: string;
  sessionId: string;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Forks `bench/http/<script>.ts` and waits for the URL it reports. Its stdout (our server's
 * access log) goes to a file, as it would under a process manager, not through this process.
 */
export async function startChildServer(script: string, args: string[] = []): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const logPath = join(tmpdir(), `agent-sessions-bench-${script}-${process.pid}.log`);
  const logFd = openSync(logPath, 'w');
  const { child, firstMessage, exited } = await forkTsx<{ url: string; sessionId: string }>(path, args, [], logFd);
  closeSync(logFd);
  return {
    ...firstMessage,
    async cpuMicros() {
      const reply = once(child, 'message');
      child.send('cpu-usage');
      return ((await reply)[0] as { cpuMicros: number }).cpuMicros;
    },
    async stop() {
      child.kill();
      await exited;
      rmSync(logPath, { force: true });
    },
  };
}
