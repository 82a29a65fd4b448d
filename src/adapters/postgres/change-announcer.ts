/** How long an announcement waits for more commits to join it. */
export const ANNOUNCE_DELAY_MS = 5;

/**
 * Tells the event readers of every instance that this one committed changes: one NOTIFY for a
 * burst of writes, sent after they commit, rather than one inside each write's transaction
 * (PostgreSQL commits transactions that sent a NOTIFY one at a time, under a database-wide lock).
 * At most one announcement is in flight; writes committed meanwhile get one more after it. A
 * failed or never-sent announcement (the process died) only delays remote readers until their
 * next poll: they read the events table after their cursor, so nothing is lost.
 */
export class ChangeAnnouncer {
  private due = false;
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;

  constructor(private readonly send: () => Promise<unknown>) {}

  /** A write that recorded an event has committed. */
  changed(): void {
    this.due = true;
    if (!this.timer && !this.sending) this.schedule();
  }

  /** Sends what is due now (on close), so remote readers need not wait for their poll. */
  async flush(): Promise<void> {
    this.cancelTimer();
    await this.sending;
    this.cancelTimer(); // The one in flight may have scheduled another.
    if (this.due) await this.announce();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.due) void this.announce();
    }, ANNOUNCE_DELAY_MS);
    this.timer.unref();
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private announce(): Promise<void> {
    this.due = false;
    this.sending = this.send()
      .then(
        () => undefined,
        () => undefined, // The database is away: readers poll.
      )
      .finally(() => {
        this.sending = undefined;
        if (this.due && !this.timer) this.schedule();
      });
    return this.sending;
  }
}
