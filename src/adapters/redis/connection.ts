import { Redis, type Cluster } from 'ioredis';
import { StoreUnavailableError, WriteOutcomeUnknownError } from '../../domain/index.js';

/** A client the store can run its scripts on: a standalone connection or a Cluster. */
export type RedisClient = Redis | Cluster;

/** How long a command may take before the call fails; part of the "fail fast" bound. */
export const COMMAND_TIMEOUT_MS = 1000;
/** How long a call waits for a connection that is (re)connecting before it fails. */
export const READY_WAIT_MS = 1000;

/**
 * A client for `url` that fails fast instead of queueing while Redis is away, and keeps
 * reconnecting in the background (every 100 ms at first, at most once a second).
 */
export function createClient(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    // A write that timed out must not be sent again behind the caller's back once Redis is back.
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // Calls made in the same tick go out in one write: far fewer system calls under load, and
    // still one command (one round trip) per call.
    enableAutoPipelining: true,
  });
  // Errors reach callers as StoreUnavailableError; this only stops ioredis printing each retry.
  client.on('error', () => {});
  return client;
}

/**
 * Resolves once `client` can take commands, or rejects after `waitMs`. Rejects at once when the
 * client is closed or between reconnect attempts (its last attempt failed, so Redis is away).
 */
export function whenReady(client: RedisClient, waitMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end' || client.status === 'reconnecting') return Promise.reject(new StoreUnavailableError());
  if (client.status === 'wait') client.connect().catch(() => {});
  return new Promise<void>((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new StoreUnavailableError());
    }, waitMs);
    client.once('ready', onReady);
  });
}

// Replies that mean "Redis cannot serve this right now", as opposed to a fault in a script.
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|OOM|NOREPLICAS)\b/;

/**
 * The error a store call should reject with: connection trouble and "not now" replies become
 * `StoreUnavailableError` (the original kept as `cause`); any other Redis reply error is a real
 * fault and stays as it is.
 */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const isReply = error instanceof Error && error.name === 'ReplyError';
  if (isReply && !UNAVAILABLE_REPLIES.test(error.message)) return error;
  return new StoreUnavailableError(undefined, { cause: error });
}

// ioredis errors raised before a command went out: Redis cannot have run it.
const NOT_SENT = /Stream isn't writeable|enableOfflineQueue|Connection is closed/;

/**
 * Like `toStoreError`, for a write handed to a ready connection: once it may have reached Redis (a timeout, or the
 * connection dropped while waiting for the reply), its outcome is unknown, and the caller is told
 * so rather than "nothing happened, try again".
 */
export function toWriteError(error: unknown): unknown {
  const mapped = toStoreError(error);
  if (!(mapped instanceof StoreUnavailableError)) return mapped;
  const cause = mapped === error ? undefined : error;
  if (!(cause instanceof Error) || NOT_SENT.test(cause.message)) return mapped;
  if (cause.name === 'ReplyError') return mapped; // Redis answered: the script did not run.
  return new WriteOutcomeUnknownError(undefined, { cause });
}

/** Closes a client the store created: politely when connected, at once otherwise. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting.
    }
  }
  client.disconnect();
}
