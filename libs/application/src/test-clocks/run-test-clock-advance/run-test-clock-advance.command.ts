import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';

export interface AdvanceRun {
  /** Timers whose command changed something in this run (a re-run after a crash counts only what it did itself). */
  fired: number;
  /** The clock's time once done; null when the clock was not advancing. */
  frozenTime: string | null;
}

/**
 * Carries a started advance through: every timer of the clock's subscriptions due up to the target
 * fires at its due time, in due order, each instant's effects applied before the next, then `ready`.
 * Idempotent: a re-run (the worker died mid-way) fires nothing twice.
 */
export class RunTestClockAdvance extends Command<AdvanceRun> {
  constructor(
    readonly testClockId: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
