import type { OrderLineItem, OrderPlacedData } from '@mfh/domain';
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
