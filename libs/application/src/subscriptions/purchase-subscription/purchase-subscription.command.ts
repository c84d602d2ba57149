import { Command } from '@nestjs/cqrs';
import type { PurchaseSubscription as Purchase } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import type { SubscriptionResult } from '../subscription-result';

/** Buys one line item's subscription, as its order names it (`purchasesOf`); buying it again changes nothing. */
export class PurchaseSubscription extends Command<SubscriptionResult> {
  constructor(
    readonly purchase: Purchase['data'],
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
