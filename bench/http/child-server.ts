import { once } from 'node:events';
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

/** Forks `bench/http/<script>.ts` and waits for the URL it reports. */
export async function startChildServer(script: string, args: string[] = []): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const { child, firstMessage, exited } = await forkTsx<{ url: string; sessionId: string }>(path, args);
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
    },
  };
}
