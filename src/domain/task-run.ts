import { randomBytes } from 'node:crypto';
import { InvalidTransitionError, NotSupportedError, SessionNotFoundError, ValidationError } from './errors.js';
import type { SessionEvent, Unsubscribe } from './events.js';
import type { EndRunOutcome, SessionRunStore } from './runs.js';
import type { AgentSession } from './session.js';
import type { SessionStore } from './session-store.js';

/** The metadata key under which a failed run (or an expired lease) records why. */
export const LAST_ERROR_METADATA_KEY = 'last_error';
/** How long a run's lease lasts unless renewed; the runner renews it every third of this. */
export const DEFAULT_LEASE_MS = 30_000;
// Keeps a huge error message from pushing metadata over its size limit.
const MAX_ERROR_MESSAGE_LENGTH = 4096;
// A concurrent metadata change makes the failure write retry; more than this many in a row is absurd.
const MAX_WRITE_ATTEMPTS = 10;

/** What the handler of `runTask` gets. */
export interface TaskContext {
  /** Aborts when the session leaves `running` (pause, delete, any other move) or the lease is lost. */
  signal: AbortSignal;
  /** The session as the run started it (status `running`). */
  session: AgentSession;
}

/** What a handler may resolve with; `done: true` completes the session, otherwise it returns to `active`. */
export interface TaskResult {
  done?: boolean;
}

/** The host's work for one run. */
export type TaskHandler = (context: TaskContext) => Promise<TaskResult | void> | TaskResult | void;

/** Options for `runTask`. */
export interface RunTaskOptions {
  /** Lease length in ms (default 30 s, at least 30 ms); renewed every third of it. */
  leaseMs?: number;
}

/** How a run ended. */
export type TaskRunResult =
  /** The handler resolved; the session is `active` again, or `completed`. */
  | { outcome: 'finished'; session: AgentSession }
  /** The handler threw; the session is `failed` with the message under `metadata.last_error`. */
  | { outcome: 'failed'; session: AgentSession; error: unknown }
  /** The run lost the session first (paused, deleted, moved or reaped); nothing was overwritten. */
  | { outcome: 'interrupted'; reason: string; session: AgentSession | undefined; error?: unknown };

/** The abort reason a handler sees on its signal. */
export class TaskInterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskInterruptedError';
  }
}

type RunCapableStore = SessionStore & SessionRunStore & Required<Pick<SessionStore, 'subscribe'>>;

/** The store, checked for the run and event capabilities `runTask` needs. */
export function runCapable(store: SessionStore): RunCapableStore {
  const needed = ['startRun', 'renewRun', 'endRun', 'expiredRuns', 'subscribe'] as const;
  if (needed.some((name) => typeof store[name] !== 'function')) throw new NotSupportedError('task runs');
  return store as RunCapableStore;
}

/**
 * One run of `handler` on session `id` (see `AgentSessionManager.runTask`). The run watches the
 * session's events from before it starts, so a pause that lands right after the start still aborts.
 */
export async function runTask(
  store: SessionStore,
  clock: () => number,
  id: string,
  handler: TaskHandler,
  options: RunTaskOptions = {},
): Promise<TaskRunResult> {
  const runs = runCapable(store);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 30) {
    throw new ValidationError([{ path: 'leaseMs', message: 'must be an integer of at least 30' }]);
  }
  const controller = new AbortController();
  const watch = new SessionWatch(id, controller);
  const unsubscribe: Unsubscribe = await runs.subscribe((event) => watch.see(event));
  try {
    const token = randomBytes(16).toString('base64url');
    const start = await runs.startRun(id, { token, leaseMs, now: clock() });
    if (start.outcome === 'not_found') throw new SessionNotFoundError(id);
    if (start.outcome === 'status_conflict') {
      const from = start.session.status;
      throw new InvalidTransitionError(id, from, 'running', `Agent session '${id}' is '${from}'; a task can only start on an 'active' session.`);
    }
    watch.started(start.session);
    const renewal = renewLease(runs, id, token, leaseMs, controller);
    let settled: { ok: true; value: TaskResult | void } | { ok: false; error: unknown };
    try {
      settled = await Promise.resolve()
        .then(() => handler({ signal: controller.signal, session: start.session }))
        .then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    } finally {
      renewal.stop();
    }
    if (settled.ok) {
      const status = settled.value?.done ? 'completed' : 'active';
      const ended = await runs.endRun(id, { token, status, now: clock() });
      return ended.outcome === 'ended' ? { outcome: 'finished', session: ended.session } : interrupted(runs, id, controller);
    }
    const ended = await endAsFailed(runs, clock, id, { token }, errorMessage(settled.error));
    if (ended.outcome === 'ended') return { outcome: 'failed', session: ended.session, error: settled.error };
    return { ...(await interrupted(runs, id, controller)), error: settled.error };
  } finally {
    unsubscribe();
  }
}

/**
 * Ends a run as `failed` with `message` under `metadata.last_error`, merged into the current
 * metadata with a version check (retried), so a metadata change made meanwhile is not lost.
 */
export async function endAsFailed(
  runs: SessionStore & SessionRunStore,
  clock: () => number,
  id: string,
  holder: { token?: string; expired?: true },
  message: string,
): Promise<EndRunOutcome> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await runs.get(id);
    // Still asked, so the store can drop a lease left behind by a session that is gone.
    if (!current) return runs.endRun(id, { ...holder, status: 'failed', now: clock() });
    const metadata = { ...current.metadata, [LAST_ERROR_METADATA_KEY]: message };
    const ended = await runs.endRun(id, { ...holder, status: 'failed', metadata, expectedVersion: current.version, now: clock() });
    if (ended.outcome !== 'version_conflict') return ended;
  }
  return { outcome: 'not_holder' };
}

type Interrupted = Extract<TaskRunResult, { outcome: 'interrupted' }>;

async function interrupted(runs: SessionStore, id: string, controller: AbortController): Promise<Interrupted> {
  const reason =
    controller.signal.reason instanceof TaskInterruptedError
      ? controller.signal.reason.message
      : `Agent session '${id}' is no longer held by this run (paused, deleted, moved or its lease expired).`;
  return { outcome: 'interrupted', reason, session: await runs.get(id) };
}

/** Aborts the run when an event shows the session has left `running` after the run started it. */
class SessionWatch {
  private startedVersion?: number;
  private early: SessionEvent[] = [];

  constructor(
    private readonly id: string,
    private readonly controller: AbortController,
  ) {}

  see(event: SessionEvent): void {
    if (event.session.id !== this.id) return;
    if (this.startedVersion === undefined) {
      this.early.push(event);
      return;
    }
    const { session } = event;
    if (event.type === 'deleted' && session.version >= this.startedVersion) {
      this.abort(`Agent session '${this.id}' was deleted.`);
    } else if (session.version > this.startedVersion && session.status !== 'running') {
      this.abort(`Agent session '${this.id}' was ${session.status === 'paused' ? 'paused' : `moved to '${session.status}'`}.`);
    }
  }

  started(session: AgentSession): void {
    this.startedVersion = session.version;
    for (const event of this.early.splice(0)) this.see(event);
  }

  private abort(message: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new TaskInterruptedError(message));
  }
}

/**
 * Renews the lease every third of its length; a refusal, or errors until it has run out, aborts
 * the run and stops renewing. "Run out" is measured here on a monotonic clock from the last
 * renewal the store confirmed, which is never later than the store's own verdict.
 */
function renewLease(
  runs: SessionRunStore,
  id: string,
  token: string,
  leaseMs: number,
  controller: AbortController,
): { stop(): void } {
  let heldSince = performance.now();
  const stop = () => clearInterval(timer);
  const lost = () => {
    stop();
    if (!controller.signal.aborted) {
      controller.abort(new TaskInterruptedError(`Agent session '${id}' lost its task lease.`));
    }
  };
  const timer = setInterval(() => {
    const askedAt = performance.now();
    runs.renewRun(id, token, leaseMs).then(
      (held) => (held ? (heldSince = askedAt) : lost()),
      () => (performance.now() - heldSince >= leaseMs ? lost() : undefined),
    );
  }, Math.floor(leaseMs / 3));
  timer.unref();
  return { stop };
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_ERROR_MESSAGE_LENGTH ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}…` : message;
}
