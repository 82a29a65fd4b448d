/** A running periodic sweep; `stop` ends it (a sweep in progress finishes on its own). */
export interface PeriodicSweep<T> {
  stop(): void;
  /** Sweeps now (or joins the sweep in progress). */
  sweep(): Promise<T>;
}

/**
 * Runs `sweepOnce` at once and then every `intervalMs`; sweeps never overlap. A failed sweep is
 * given to `onError` and resolves with `whenFailed`; the timer never keeps the process alive.
 */
export function startPeriodicSweep<T>(sweepOnce: () => Promise<T>, intervalMs: number, onError: (error: unknown) => void, whenFailed: () => T): PeriodicSweep<T> {
  let current: Promise<T> | undefined;
  const sweep = (): Promise<T> => {
    current ??= sweepOnce()
      .catch((error: unknown) => {
        onError(error);
        return whenFailed();
      })
      .finally(() => (current = undefined));
    return current;
  };
  void sweep();
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), sweep };
}
