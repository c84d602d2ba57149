import { customerStream, orderStream, purchasesOf, subscriptionStream } from '@mfh/domain';
import { customerDecider, orderDecider, subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId, EventMetadata, EventStore, GlobalPosition, handleCommand, JsonObject } from '@mfh/event-store';
import { placedOrder } from './orders';
import { randomUUID } from 'node:crypto';

/** A partner's customer, order and renamed subscriptions, written through the deciders, for the read-model int-specs. */
export const partnerMetadata: EventMetadata = {
  actor: 'contoso-partner',
  role: 'partner',
  source: 'Partner',
  correlationId: 'c',
  causationId: 'r',
  requestId: 'r',
  occurredAt: '2026-03-01T10:00:00.000Z',
};

export interface PartnerScenario {
  customerId: string;
  orderId: string;
  /** The order's two subscriptions; the first is renamed twice. */
  subscriptionIds: string[];
  /** Where the scenario's last event stands. */
  last: GlobalPosition;
}

/**
 * What the partner API leaves in the log for a customer who orders two subscriptions and renames
 * the first twice, decided by the domain's own deciders.
 */
export async function partnerScenario(store: EventStore, metadata: EventMetadata = partnerMetadata): Promise<PartnerScenario> {
  const customerId = randomUUID();
  const decide = <S, E extends { type: string; data: object }>(
    stream: string,
    decider: { evolve: (s: S, e: E) => S; initialState: () => S },
    decision: (state: S) => readonly E[],
    eventId?: (index: number) => string,
  ) => handleCommand(store, stream, decider, decision, { metadata, eventId });

  await decide(customerStream(customerId), customerDecider, (s) =>
    customerDecider.decide({ type: 'CreateCustomer', data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: null, testClockId: null, now: metadata.occurredAt } }, s),
  );
  const order = placedOrder({ customerId, placedAt: metadata.occurredAt });
  await store.appendToStream(orderStream(order.orderId), [
    { id: randomUUID(), type: 'OrderPlaced', data: order as unknown as JsonObject, metadata: metadata as unknown as JsonObject },
  ]);
  for (const purchase of purchasesOf(order)) {
    await decide(subscriptionStream(purchase.data.subscriptionId), subscriptionDecider, (s) => subscriptionDecider.decide(purchase, s));
  }
  await decide(orderStream(order.orderId), orderDecider, (s) => orderDecider.decide({ type: 'CompleteOrder', data: { now: metadata.occurredAt } }, s), (i) =>
    derivedId(order.orderId, 'complete', i),
  );
  const [first] = order.lineItems;
  let last: GlobalPosition | null = null;
  for (const friendlyName of ['Renamed once', 'Renamed twice']) {
    const result = await decide(subscriptionStream(first.subscriptionId), subscriptionDecider, (s) =>
      subscriptionDecider.decide({ type: 'RenameSubscription', data: { friendlyName } }, s),
    );
    last = result.position;
  }
  return { customerId, orderId: order.orderId, subscriptionIds: order.lineItems.map((item) => item.subscriptionId), last: last! };
}
