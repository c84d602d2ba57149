import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { TimerFired } from '../../test-clocks/timer-fired';

export type BillingCycleOutcome = 'started' | 'nothing-to-do';

/** At the start of a later billing cycle of a term billed in several (a year billed monthly): the cycle begins, and is charged. */
export class StartBillingCycle extends Command<TimerFired<BillingCycleOutcome>> {
  constructor(
    readonly subscriptionId: string,
    /** The first day of the cycle to start; only cycles up to it, so a cycle already started is not started again. */
    readonly cycleStart: string,
    readonly metadata: EventMetadata,
    /** A test clock's advance fires it at its due time, in the clock's time; the wall clock's timer fires it now. */
    readonly dueAt?: string,
  ) {
    super();
  }
}
