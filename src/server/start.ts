import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer, type CreateServerOptions } from './app.js';

/** Options for `startServer`. */
export interface StartServerOptions extends CreateServerOptions {
  port?: number;
  host?: string;
}

/** A listening server and the way to stop it. */
export interface RunningServer {
  server: Server;
  /** Base URL, such as `http://127.0.0.1:3000`. */
  url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `drainMs`
   * (default 10 s), then cuts whatever is left.
   */
  close(drainMs?: number): Promise<void>;
}

/** Builds the app and listens on `host:port` (defaults 127.0.0.1:3000; port 0 picks a free one). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { port = 3000, host = '127.0.0.1', ...appOptions } = options;
  const server = createServer(appOptions).listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${hostForUrl}:${address.port}`,
    close(drainMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), drainMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
