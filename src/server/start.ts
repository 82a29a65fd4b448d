import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DEFAULT_REAPER_INTERVAL_MS } from '../domain/index.js';
import { createServer, type CreateServerOptions } from './app.js';

/** Options for `startServer`. */
export interface StartServerOptions extends CreateServerOptions {
  port?: number;
  host?: string;
  /**
   * How often to fail `running` sessions whose task lease expired (a crashed runner), in ms;
   * default 5 s, `false` for never. Runs once at start-up too; only when the store supports runs.
   */
  leaseReaperIntervalMs?: number | false;
}

/** A listening server and the way to stop it. */
export interface RunningServer {
  server: Server;
  /** Base URL, such as `http://127.0.0.1:3000`. */
  url: string;
  /**
   * Ends every open event stream, stops the lease reaper, stops accepting connections, lets
   * in-flight requests finish for up to `drainMs` (default 10 s), then cuts whatever is left.
   */
  close(drainMs?: number): Promise<void>;
}

/** Builds the app and listens on `host:port` (defaults 127.0.0.1:3000; port 0 picks a free one). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { port = 3000, host = '127.0.0.1', leaseReaperIntervalMs = DEFAULT_REAPER_INTERVAL_MS, ...appOptions } = options;
  const shutdown = new AbortController();
  const shutdownSignal = appOptions.shutdownSignal ? AbortSignal.any([appOptions.shutdownSignal, shutdown.signal]) : shutdown.signal;
  const server = createServer({ ...appOptions, shutdownSignal }).listen(port, host);
  await once(server, 'listening');
  const { manager, logger } = appOptions;
  const reaper =
    leaseReaperIntervalMs !== false && manager.supportsTasks
      ? manager.startLeaseReaper({
          intervalMs: leaseReaperIntervalMs,
          onError: (error) => logger?.warn({ err: error }, 'lease reaper sweep failed'),
        })
      : undefined;
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${hostForUrl}:${address.port}`,
    close(drainMs = 10_000) {
      reaper?.stop();
      shutdown.abort();
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
