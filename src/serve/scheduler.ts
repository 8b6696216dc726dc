/**
 * Runs the node's check on an interval and when asked to (a file changed),
 * never two at once and never per scrape: readers always get the last
 * complete result, so a scrape during a check sees the previous one whole.
 */
export interface CheckRun<T> {
  /** The last check that completed, if any did. */
  result?: T;
  /** Wall-clock end of that check (ms since the epoch). */
  finishedAt?: number;
  /** How long it took (ms). */
  durationMs?: number;
}

export interface SchedulerState<T> {
  lastSuccess: CheckRun<T>;
  /** Whether the latest attempt succeeded. */
  ok: boolean;
  /** The latest attempt's error, when it failed. */
  lastError?: unknown;
  attempts: number;
  failures: number;
}

export interface SchedulerOptions<T> {
  check: () => Promise<T>;
  intervalMs: number;
  /** Called after every attempt, with the new state (serve renders its pages once here, not per request). */
  onUpdate: (state: SchedulerState<T>) => void;
  /** Wall clock, for tests. */
  clock?: () => number;
}

export class CheckScheduler<T> {
  readonly state: SchedulerState<T> = { lastSuccess: {}, ok: false, attempts: 0, failures: 0 };
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly options: SchedulerOptions<T>) {
    this.clock = options.clock ?? Date.now;
  }

  /** Runs the first check, then one per interval. Resolves when the first is done. */
  async start(): Promise<void> {
    await this.trigger();
  }

  /**
   * Asks for a check: starts one now, or, when one is running, one more right
   * after it (a change during a check may have been missed by it).
   */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer; a check under way finishes but nothing new starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      clearTimeout(this.timer);
      await this.once();
    } while (this.again && !this.stopped);
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.trigger(), this.options.intervalMs);
      this.timer.unref();
    }
  }

  private async once(): Promise<void> {
    const started = this.clock();
    this.state.attempts++;
    try {
      const result = await this.options.check();
      const finishedAt = this.clock();
      this.state.lastSuccess = { result, finishedAt, durationMs: finishedAt - started };
      this.state.ok = true;
      this.state.lastError = undefined;
    } catch (err) {
      this.state.ok = false;
      this.state.failures++;
      this.state.lastError = err;
    }
    this.options.onUpdate(this.state);
  }
}
