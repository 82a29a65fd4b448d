import { createAgentSessionManager, type AgentSessionManager } from '../../src/index.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server/index.js';

/** A fetch Response whose `json()` is loosely typed, so assertions can reach into bodies. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

/** A real server on a free port, the manager behind it, and a fetch bound to its base URL. */
export interface TestServer {
  running: RunningServer;
  manager: AgentSessionManager;
  /** Errors the server reported as unexpected (500s); tests expect this to stay empty. */
  unexpectedErrors: unknown[];
  url(path: string): string;
  request(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
}

export async function startTestServer(options: Partial<StartServerOptions> = {}): Promise<TestServer> {
  const manager = options.manager ?? createAgentSessionManager();
  const unexpectedErrors: unknown[] = [];
  const running = await startServer({
    manager,
    port: 0,
    onUnexpectedError: (error) => unexpectedErrors.push(error),
    ...options,
  });
  const url = (path: string) => `${running.url}${path}`;
  return {
    running,
    manager,
    unexpectedErrors,
    url,
    request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(url(path), { method, headers, body });
    },
  };
}
