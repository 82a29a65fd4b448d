import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A server running in its own process, so the load generator never shares its core. */
export interface ChildServer {
  url: string;
  sessionId: string;
  stop(): Promise<void>;
}

/** Forks `bench/http/<script>.ts` under tsx and waits for the URL it reports. */
export async function startChildServer(script: string, args: string[] = []): Promise<ChildServer> {
  const path = fileURLToPath(new URL(`./${script}.ts`, import.meta.url));
  const child: ChildProcess = fork(path, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => { throw new Error(`${script} exited before listening`); })])) as [{ url: string; sessionId: string }];
  return {
    ...message,
    async stop() {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    },
  };
}
