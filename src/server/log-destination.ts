import { write, writeSync } from 'node:fs';

/** The bounds of a `BufferedLogDestination`; each is documented in docs/hardening.md. */
export interface LogBufferLimits {
  /** Lines are written in batches of at least this many bytes. */
  minBytes: number;
  /** Buffered lines are written at least this often, so a quiet server's lines still appear. */
  flushIntervalMs: number;
  /** Past this many unwritten bytes (the reader not keeping up) new lines are dropped, not queued. */
  maxBytes: number;
}

// How long to wait before writing again to a pipe whose reader is full (EAGAIN).
const RETRY_MS = 10;

// One exit listener for every destination (a process may make many loggers, such as tests).
const OPEN_DESTINATIONS = new Set<BufferedLogDestination>();
process.once('exit', () => {
  for (const destination of OPEN_DESTINATIONS) destination.writeAllNow();
});

/**
 * Where the server's log lines go: kept as an array of lines and written to `fd` in batches, by
 * one asynchronous write at a time, so a request never waits on the write. What is left at exit
 * is written synchronously. Why not pino's own destination (sonic-boom): it appends each line to
 * one growing string and measures that string's byte length on every line, which flattens and
 * rescans kilobytes per access line (about three times the cost of a line here, measured).
 */
export class BufferedLogDestination {
  private lines: string[] = [];
  private bytes = 0;
  /** The batch being written (or waiting to be retried); its lines are no longer in `lines`. */
  private inFlight: Buffer | undefined;
  private waitingToRetry = false;
  private flushCallbacks: Array<(error?: Error) => void> = [];
  private dropped = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly fd: number,
    private readonly limits: LogBufferLimits,
  ) {
    this.timer = setInterval(() => this.flush(), limits.flushIntervalMs).unref();
    OPEN_DESTINATIONS.add(this);
  }

  /** Lines dropped so far because `maxBytes` were already waiting. */
  get droppedLines(): number {
    return this.dropped;
  }

  write(line: string): boolean {
    if (this.closed) return false;
    const size = Buffer.byteLength(line);
    if (this.bytes + size > this.limits.maxBytes) {
      this.dropped++;
      return false;
    }
    this.lines.push(line);
    this.bytes += size;
    if (this.bytes >= this.limits.minBytes && !this.inFlight) this.writeBatch(this.takeLines());
    return true;
  }

  /** Writes what is buffered now; `callback` runs once it (and any write under way) is written. */
  flush(callback?: (error?: Error) => void): void {
    if (callback) this.flushCallbacks.push(callback);
    if (this.inFlight) return; // its end writes the rest, then calls back
    if (this.lines.length > 0 && !this.closed) this.writeBatch(this.takeLines());
    else this.settle();
  }

  /**
   * Writes everything buffered before returning (pino calls it after a `fatal` line). While an
   * asynchronous write is under way, lines written now could land before its batch, so they are
   * left to follow it; the process's exit writes whatever is left in any case.
   */
  flushSync(): void {
    if (this.inFlight && !this.waitingToRetry) return;
    this.writeAllNow();
  }

  /** Writes everything buffered, synchronously, whatever is under way (at process exit). */
  writeAllNow(): void {
    if (this.closed) return;
    let pending = this.takeLines();
    // A batch a running write has in hand is that write's; one waiting to be retried is ours.
    if (this.waitingToRetry && this.inFlight) {
      pending = Buffer.concat([this.inFlight, pending]);
      this.inFlight = undefined;
      this.waitingToRetry = false;
    }
    while (pending.length > 0) {
      try {
        pending = pending.subarray(writeSync(this.fd, pending));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return this.stop();
      }
    }
  }

  /** Writes what is left and stops; later lines are dropped. */
  end(): void {
    this.writeAllNow();
    this.stop();
  }

  private takeLines(): Buffer {
    const batch = Buffer.from(this.lines.join(''));
    this.lines = [];
    this.bytes = 0;
    return batch;
  }

  private writeBatch(batch: Buffer): void {
    this.inFlight = batch;
    write(this.fd, batch, 0, batch.length, null, (error, written) => {
      if (this.inFlight !== batch) return; // flushSync took it over, or logging stopped
      if (error?.code === 'EAGAIN') {
        this.waitingToRetry = true;
        setTimeout(() => this.retry(batch), RETRY_MS).unref();
      } else if (error) {
        // The reader is gone (EPIPE) or the fd is unusable: logging stops, the server goes on.
        this.stop(error);
      } else if (written < batch.length) {
        this.writeBatch(batch.subarray(written));
      } else {
        this.inFlight = undefined;
        const someoneWaits = this.flushCallbacks.length > 0;
        if (this.lines.length > 0 && (someoneWaits || this.bytes >= this.limits.minBytes)) this.writeBatch(this.takeLines());
        else this.settle();
      }
    });
  }

  private retry(batch: Buffer): void {
    if (this.inFlight !== batch) return;
    this.waitingToRetry = false;
    this.writeBatch(batch);
  }

  private settle(error?: Error): void {
    const callbacks = this.flushCallbacks;
    this.flushCallbacks = [];
    for (const callback of callbacks) callback(error);
  }

  private stop(error?: Error): void {
    this.closed = true;
    this.lines = [];
    this.bytes = 0;
    this.inFlight = undefined;
    clearInterval(this.timer);
    OPEN_DESTINATIONS.delete(this);
    this.settle(error);
  }
}
