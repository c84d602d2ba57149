import { Command } from '@nestjs/cqrs';
import type { BillingCycle, TermDuration } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';
import type { PlacedOrder } from '@mfh/domain';

/** One line item as the partner sent it. */
export interface OrderLine {
  offerId: string;
  planId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  friendlyName: string | null;
  partnerIdOnRecord: string | null;
}

/**
 * Buys one subscription per line item for one of the partner's customers. With an Idempotency-Key
 * a resend of the same body answers the same order (same ids) instead of buying twice.
 */
export class PlaceOrder extends Command<PlacedOrder> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly lines: readonly OrderLine[],
    readonly idempotencyKey: string | null,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
