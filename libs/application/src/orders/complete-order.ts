
import {
  orderDecider,
  OrderPlacedData,
  orderStream,
  OrderState,
  purchasesOf,
  subscriptionDecider,
  subscriptionStream,
} from '@mfh/domain';
import { derivedId, EventMetadata } from '@mfh/event-store';
import type { CommandExecutor } from '../command-executor';


/**
 * Buys every line item's subscription, then marks the order completed. Every step is idempotent
 * (fixed event ids, decisions that return nothing when done), so the API after placing an order and
 * the worker recovering an interrupted one can both run it, any number of times.
 */
export async function completeOrder(
  executor: CommandExecutor,
  order: OrderPlacedData,
  metadata: EventMetadata,
): Promise<OrderState> {
  for (const purchase of purchasesOf(order)) {
    const id = purchase.data.subscriptionId;
    await executor.execute(subscriptionStream(id), subscriptionDecider, (state) => subscriptionDecider.decide(purchase, state), {
      metadata,
      eventId: (index) => derivedId(order.orderId, purchase.data.lineItemNumber, 'purchase', index),
    });
  }
  const completed = await executor.execute(
    orderStream(order.orderId),
    orderDecider,
    (state) => orderDecider.decide({ type: 'CompleteOrder', data: { now: metadata.occurredAt } }, state),
    { metadata, eventId: (index) => derivedId(order.orderId, 'complete', index) },
  );
  return completed.state;
}
