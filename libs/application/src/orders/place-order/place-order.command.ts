import { Command } from '@nestjs/cqrs';
import type { OrderLineRequest, PlacedOrder } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';

/** One line item as the partner sent it: the domain's line request before the catalog is read and ids are derived. */
export type OrderLine = Omit<OrderLineRequest, 'subscriptionId' | 'offer' | 'plan' | 'terms'>;

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
