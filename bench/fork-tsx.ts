import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** A forked TypeScript module, the first message it sent, and its exit. */
export interface ForkedModule<T> {
  child: ChildProcess;
  firstMessage: T;
  exited: Promise<unknown>;
}

/** Forks `path` under tsx with extra Node flags (stdout to a file descriptor if given) and waits for its first IPC message. */
export async function forkTsx<T>(path: string, args: string[], nodeFlags: string[] = [], stdout: 'inherit' | number = 'inherit'): Promise<ForkedModule<T>> {
  const child = fork(path, args, { execArgv: [...nodeFlags, '--import', 'tsx'], stdio: ['ignore', stdout, 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  const [firstMessage] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`${path} ${args.join(' ')} exited with ${String(code)} before reporting`);
    }),
  ])) as [T];
  return { child, firstMessage, exited };
}
