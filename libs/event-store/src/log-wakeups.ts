import { Backoff, pause } from './backoff';

/** What {@link EventStore.watchAppends} tells: when to read the global log again. */
export interface AppendListener {
  /**
   * Events may have been appended: read from your checkpoint. Calls come in bursts and may be
   * spurious; one also follows every (re)connection of the watch, for what it may have missed.
   */
  appended(): void;
  /** The watch lost its connection (`failures` in a row so far); it keeps trying with backoff. */
  interrupted?(error: unknown, failures: number): void;
  /** The watch is connected again after {@link interrupted}; an {@link appended} call follows. */
  resumed?(): void;
}

export interface AppendWatch {
  /**
   * True when an announced event may not be in `readAll` yet (PostgreSQL: behind an older open
   * transaction), so that a reader compares with `headPosition` to know whether to look again.
   */
  readonly mayLag: boolean;
  close(): Promise<void>;
}

/** How a lost watch connection is retried. */
export const WATCH_BACKOFF: Backoff = { firstMs: 100, maxMs: 5_000 };

/**
 * A watch kept alive over a connection that can drop: `connect` opens it, calls `connected()` once
 * it listens, and resolves (or rejects) when it is lost; it is opened again with backoff until
 * closed, and the listener hears `appended` after every connection since appends may have gone
 * unannounced meanwhile.
 */
export class ReconnectingWatch implements AppendWatch {
  private readonly closing = new AbortController();
  private readonly running: Promise<void>;

  constructor(
    readonly mayLag: boolean,
    private readonly listener: AppendListener,
    private readonly connect: (connected: () => void, closing: AbortSignal) => Promise<unknown>,
    private readonly backoff: Backoff = WATCH_BACKOFF,
  ) {
    this.running = this.run();
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const signal = this.closing.signal;
    while (!signal.aborted) {
      let lost: unknown;
      try {
        lost = await this.connect(() => {
          if (failures > 0) this.listener.resumed?.();
          failures = 0;
          this.listener.appended();
        }, signal);
      } catch (error) {
        lost = error;
      }
      if (signal.aborted) return;
      failures++;
      this.listener.interrupted?.(lost ?? new Error('The watch connection ended'), failures);
      await pause(failures, this.backoff, signal).catch(() => undefined);
    }
  }
}
