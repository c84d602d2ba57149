import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';

/** What asking found: billing started now, had started before, still waits for a condition, or never will. */
export type BillingOutcome = 'started' | 'already-started' | 'waiting-for-the-other-condition' | 'not-billable';

/** Starts billing once the licenses are assigned and fulfilment is confirmed, whichever came second (SPEC §8). */
export class StartBilling extends Command<BillingOutcome> {
  constructor(
    readonly subscriptionId: string,
    /** `occurredAt` is when billing starts: the first term begins that day. */
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
