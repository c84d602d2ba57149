import { orderStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { given, inMemoryStore, placedOrder } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetOrder } from './get-order.query';
import { GetOrderHandler } from './get-order.handler';

describe('GetOrder', () => {
  let store: EventStore;
  let handler: GetOrderHandler;
  const order = placedOrder({ lines: 1 });

  beforeEach(async () => {
    store = inMemoryStore();
    handler = new GetOrderHandler(store);
    await given(store, orderStream(order.orderId), [{ type: 'OrderPlaced', data: order }]);
  });

  it('reads the order from its stream, pending until completed, in the partner view', async () => {
    expect(await handler.execute(new GetOrder('contoso', order.customerId, order.orderId))).toEqual({
      id: order.orderId,
      customerId: order.customerId,
      status: 'pending',
      creationDate: order.placedAt,
      lineItems: [
        {
          lineItemNumber: 1,
          offerId: 'fabrikam-crm',
          planId: 'standard',
          quantity: 1,
          termDuration: 'P1M',
          billingCycle: 'monthly',
          friendlyName: 'Line 1',
          partnerIdOnRecord: null,
          subscriptionId: order.lineItems[0].subscriptionId,
        },
      ],
    });
  });

  it.each([
    ["another partner's", 'northwind', order.customerId, order.orderId],
    ["another customer's", 'contoso', randomUUID(), order.orderId],
    ['a missing', 'contoso', order.customerId, randomUUID()],
  ])('reports %s order as not found', async (_case, partnerId, customerId, orderId) => {
    await expect(handler.execute(new GetOrder(partnerId, customerId, orderId))).rejects.toMatchObject({ code: 'order-not-found', kind: 'not-found' });
  });
});
