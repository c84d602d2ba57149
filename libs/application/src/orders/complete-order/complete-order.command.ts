import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { PlacedOrder } from '@mfh/domain';

export interface CompleteOrderResult {
  order: PlacedOrder;
  /** True when this very call marked the order completed; false when it already was. */
  completedNow: boolean;
}

/**
 * Buys every line item's subscription, then marks the order completed. Every step is idempotent
 * (fixed event ids, decisions that return nothing when done), so the API after placing an order and
 * the worker recovering an interrupted one can both run it, any number of times.
 */
export class CompleteOrder extends Command<CompleteOrderResult> {
  constructor(
    readonly orderId: string,
    readonly metadata: EventMetadata,
    /** The order as the caller just left it (PlaceOrder); spares reading its stream again. */
    readonly known?: PlacedOrder,
  ) {
    super();
  }
}
