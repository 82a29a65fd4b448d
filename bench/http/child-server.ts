import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A server running in its own process, so the load generator never shares its core. */
export interface ChildServer {
  url: string;
  sessionId: string;
  /** CPU time (user + system, µs) the server process has used so far. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

/** Forks `bench/http/<script>.ts` under tsx and waits for the URL it reports. */
export async function startChildServer(script: string, args: string[] = []): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const child = fork(path, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const [ready] = (await Promise.race([
    once(child, 'message'),
    exited.then(() => {
      throw new Error(`${script} exited before listening`);
    }),
  ])) as [{ url: string; sessionId: string }];
  return {
    url: ready.url,
    sessionId: ready.sessionId,
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
