import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';

export type RenewalOutcome = 'renewed' | 'expired' | 'nothing-to-do';

/** At the end of the term ending `termEnd`: a new term when auto-renew is on, the end of the subscription when it is off. */
export class RenewSubscription extends Command<RenewalOutcome> {
  constructor(
    readonly subscriptionId: string,
    /** The last day of the term to renew; only that term, so a renewal that already happened is not repeated. */
    readonly termEnd: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
