import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { SubscriptionResult } from '../subscription-result';

/** The publisher's Activate: confirms fulfilment of exactly what was bought; `quantity` may be null only for a plan not priced per seat. */
export class ActivateSubscription extends Command<SubscriptionResult> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly planId: string,
    readonly quantity: number | null,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
