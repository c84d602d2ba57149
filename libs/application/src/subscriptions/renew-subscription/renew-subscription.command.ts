import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { TimerFired } from '../../test-clocks/timer-fired';

export type RenewalOutcome = 'renewed' | 'expired' | 'nothing-to-do';

/** At the end of the term ending `termEnd`: a new term when auto-renew is on, the end of the subscription when it is off. */
export class RenewSubscription extends Command<TimerFired<RenewalOutcome>> {
  constructor(
    readonly subscriptionId: string,
    /** The last day of the term to renew; only that term, so a renewal that already happened is not repeated. */
    readonly termEnd: string,
    readonly metadata: EventMetadata,
    /** A test clock's advance fires it at its due time, in the clock's time; the wall clock's timer fires it now. */
    readonly dueAt?: string,
  ) {
    super();
  }
}
