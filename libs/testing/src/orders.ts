import type { OrderLineItem, OrderPlacedData, PlaceOrder } from '@mfh/domain';
import { randomUUID } from 'node:crypto';

/** An order of `lines` standard-plan line items (quantity = line number), as the API would record it. */
export function placedOrder(
  fields: Partial<Omit<OrderPlacedData, 'lineItems'>> & { lines?: number; subscriptionId?: (line: number, orderId: string) => string } = {},
): OrderPlacedData {
  const { lines = 2, subscriptionId = () => randomUUID(), ...order } = fields;
  const orderId = order.orderId ?? randomUUID();
  const lineItems = Array.from({ length: lines }, (_, i): OrderLineItem => ({
    lineItemNumber: i + 1,
    subscriptionId: subscriptionId(i + 1, orderId),
    offerId: 'fabrikam-crm',
    offerName: 'Fabrikam CRM',
    planId: 'standard',
    publisherId: 'fabrikam',
    publisherName: 'Fabrikam',
    quantity: i + 1,
    minQuantity: 1,
    maxQuantity: 500,
    termDuration: 'P1M',
    billingCycle: 'monthly',
    friendlyName: `Line ${i + 1}`,
    partnerIdOnRecord: null,
    unitPrice: '12.00',
    currency: 'USD',
    cancellationWindowMs: 72 * 3_600_000,
  }));
  return {
    customerId: randomUUID(),
    partnerId: 'contoso',
    requestFingerprint: 'fingerprint',
    placedAt: '2026-03-01T10:00:00.000Z',
    ...order,
    orderId,
    lineItems,
  };
}

/** The PlaceOrder command whose catalog lookups found exactly what `order` records, so deciding it yields that OrderPlaced. */
export function placeOrderCommand(order: OrderPlacedData): PlaceOrder {
  const { lineItems, ...rest } = order;
  return {
    type: 'PlaceOrder',
    data: {
      ...rest,
      testClockId: rest.testClockId ?? null,
      lines: lineItems.map((item) => ({
        subscriptionId: item.subscriptionId,
        offerId: item.offerId,
        planId: item.planId,
        quantity: item.quantity,
        termDuration: item.termDuration,
        billingCycle: item.billingCycle,
        friendlyName: item.friendlyName,
        partnerIdOnRecord: item.partnerIdOnRecord,
        offer: { id: item.offerId, name: item.offerName },
        plan: { id: item.planId, minQuantity: item.minQuantity, maxQuantity: item.maxQuantity, isPrivate: false, isPricePerSeat: true },
        terms: {
          publisherId: item.publisherId,
          publisherName: item.publisherName,
          unitPrice: item.unitPrice,
          currency: item.currency,
          cancellationWindowMs: item.cancellationWindowMs,
          billingCycles: [item.billingCycle],
        },
      })),
    },
  };
}
