import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REAPER_INTERVAL_MS } from '../domain/index.js';
import { createServer, type CreateServerOptions } from './app.js';
import { answerClientError } from './client-errors.js';
import { answerUnmetExpectation, guardRequests } from './request-guards.js';

/**
 * Bounds on what one connection may cost the server; see docs/hardening.md for why each
 * default was chosen. Times are in milliseconds; 0 turns a timeout off.
 */
export interface ConnectionLimits {
  /** Whole request (headers and body) must arrive within this time, else 408 (default 30 s). */
  requestTimeoutMs?: number;
  /** Headers must arrive within this time, else 408 (default 10 s, at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this time (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** How often the two request timeouts above are checked (default 1 s). */
  timeoutCheckIntervalMs?: number;
  /** Largest request line plus headers in bytes, else 431 (default 16 KiB). */
  maxHeaderSizeBytes?: number;
  /** Most headers one request may have; more is 431 problem JSON, 0: Node's own cut (default 100). */
  maxHeadersCount?: number;
  /** Connections beyond this many are closed as soon as they open (default: no limit). */
  maxConnections?: number;
}

/** Options for `startServer`. */
export interface StartServerOptions extends CreateServerOptions, ConnectionLimits {
  port?: number;
  host?: string;
  /**
   * How often to fail `running` sessions whose task lease expired (a crashed runner), in ms;
   * default 5 s, `false` for never. Runs once at start-up too; only when the store supports runs.
   */
  leaseReaperIntervalMs?: number | false;
}

/** The defaults `startServer` applies to `ConnectionLimits`. */
export const DEFAULT_CONNECTION_LIMITS = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckIntervalMs: 1_000,
  maxHeaderSizeBytes: 16 * 1024,
  maxHeadersCount: 100,
} as const;

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

/** A Node HTTP server with every limit applied and parser errors answered as problem JSON. */
function boundedHttpServer(limits: ConnectionLimits, handler: RequestListener): Server {
  const defaults = DEFAULT_CONNECTION_LIMITS;
  const requestTimeout = limits.requestTimeoutMs ?? defaults.requestTimeoutMs;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout =
    limits.headersTimeoutMs ?? (requestTimeout > 0 ? Math.min(defaults.headersTimeoutMs, requestTimeout) : defaults.headersTimeoutMs);
  const maxHeadersCount = limits.maxHeadersCount ?? defaults.maxHeadersCount;
  const server = createHttpServer(
    {
      // Checked in `guardRequests`, so the refusal is problem JSON rather than an empty 400.
      requireHostHeader: false,
      requestTimeout,
      headersTimeout,
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? defaults.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs ?? defaults.timeoutCheckIntervalMs,
      maxHeaderSize: limits.maxHeaderSizeBytes ?? defaults.maxHeaderSizeBytes,
    },
    guardRequests(handler, maxHeadersCount),
  );
  // One more than the limit, so a request over it is seen and refused, never silently cut.
  server.maxHeadersCount = maxHeadersCount > 0 ? maxHeadersCount + 1 : 0;
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  server.on('checkExpectation', answerUnmetExpectation);
  return server;
}

/** Builds the app and listens on `host:port` (defaults 127.0.0.1:3000; port 0 picks a free one). */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { port = 3000, host = '127.0.0.1', leaseReaperIntervalMs = DEFAULT_REAPER_INTERVAL_MS, ...appOptions } = options;
  const shutdown = new AbortController();
  const shutdownSignal = appOptions.shutdownSignal ? AbortSignal.any([appOptions.shutdownSignal, shutdown.signal]) : shutdown.signal;
  const server = boundedHttpServer(options, createServer({ ...appOptions, shutdownSignal }).callback()).listen(port, host);
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
