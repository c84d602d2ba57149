/**
 * At most `concurrency` secret hashes at once, and at most `maxWaiting` callers queued behind them.
 * scrypt runs on libuv's small thread pool, shared with DNS and file I/O: unbounded, a burst of bad
 * logins holds every good one and slows the whole process down.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs `work` once a slot is free; `null` at once, without running it, when the queue is full. */
  async tryRun<T>(work: () => Promise<T>): Promise<T | null> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) return null;
      // The finishing caller hands its slot over directly, so `running` never dips and no newcomer jumps the queue.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
