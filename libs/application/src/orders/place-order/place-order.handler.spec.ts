import type { CommandBus } from '@nestjs/cqrs';
import { customerStream, isDomainError, orderStream, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { developmentCatalog, given, inMemoryStore, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { PurchaseSubscription } from '../../subscriptions/purchase-subscription/purchase-subscription.command';
import { PurchaseSubscriptionHandler } from '../../subscriptions/purchase-subscription/purchase-subscription.handler';
import { CompleteOrder } from '../complete-order/complete-order.command';
import { CompleteOrderHandler } from '../complete-order/complete-order.handler';
import { OrderLine, PlaceOrder } from './place-order.command';
import { PlaceOrderHandler } from './place-order.handler';
import { requestFingerprint } from './request-fingerprint';

const NOW = '2026-03-02T12:00:00.000Z';

const standard = (overrides: Partial<OrderLine> = {}): OrderLine => ({
  offerId: 'fabrikam-crm',
  planId: 'standard',
  quantity: 5,
  termDuration: 'P1M',
  billingCycle: 'monthly',
  friendlyName: null,
  partnerIdOnRecord: null,
  ...overrides,
});

describe('PlaceOrder', () => {
  let store: EventStore;
  let handler: PlaceOrderHandler;
  /** What the bus does with CompleteOrder; a test may make it crash, as the API can between the two steps. */
  let completion: (command: CompleteOrder) => Promise<unknown>;
  const customerId = randomUUID();

  beforeEach(async () => {
    store = inMemoryStore();
    const executor = new CommandExecutor(store);
    const purchase = new PurchaseSubscriptionHandler(executor);
    const bus = {
      execute: (command: object) => (command instanceof CompleteOrder ? completion(command) : purchase.execute(command as PurchaseSubscription)),
    } as unknown as CommandBus;
    const complete = new CompleteOrderHandler(executor, store, bus);
    completion = (command) => complete.execute(command);
    handler = new PlaceOrderHandler(executor, store, developmentCatalog(), bus);
    await given(store, customerStream(customerId), [
      { type: 'CustomerCreated', data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: null, createdAt: '2026-03-01T10:00:00.000Z' } },
    ]);
  });

  const place = (lines: OrderLine[], key: string | null = null, partnerId = 'contoso', customer = customerId) =>
    handler.execute(new PlaceOrder(partnerId, customer, lines, key, requestMetadata(NOW)));

  const ids = async (stream: string) => (await store.readStream(stream)).map((event) => `${event.type} ${event.id}`);
  const everything = async () => (await store.readAll()).map((event) => event.type);

  it('places the order from the catalog, buys one subscription per line item and completes it, every event id derived', async () => {
    const order = await place([standard(), standard({ planId: 'enterprise', quantity: 10, termDuration: 'P1Y', billingCycle: 'annual', friendlyName: 'Big' })]);
    const { orderId } = order;
    expect(order).toMatchObject({ status: 'completed', completedAt: NOW, placedAt: NOW, customerId, partnerId: 'contoso' });
    expect(order.requestFingerprint).toBe(requestFingerprint(customerId, [standard(), standard({ planId: 'enterprise', quantity: 10, termDuration: 'P1Y', billingCycle: 'annual', friendlyName: 'Big' })]));
    expect(order.lineItems).toEqual([
      expect.objectContaining({
        lineItemNumber: 1,
        subscriptionId: derivedId(orderId, 1, 'subscription'),
        offerName: 'Fabrikam CRM',
        friendlyName: 'Fabrikam CRM',
        publisherId: 'fabrikam',
        publisherName: 'Fabrikam',
        unitPrice: '12.00',
        minQuantity: 1,
        maxQuantity: 500,
        cancellationWindowMs: 72 * 3_600_000,
      }),
      expect.objectContaining({
        lineItemNumber: 2,
        subscriptionId: derivedId(orderId, 2, 'subscription'),
        planId: 'enterprise',
        friendlyName: 'Big',
        unitPrice: '300.00',
        cancellationWindowMs: 14 * 86_400_000,
      }),
    ]);
    expect(await ids(orderStream(orderId))).toEqual([`OrderPlaced ${derivedId(orderId, 'placed', 0)}`, `OrderCompleted ${derivedId(orderId, 'complete', 0)}`]);
    for (const n of [1, 2]) {
      expect(await ids(subscriptionStream(derivedId(orderId, n, 'subscription')))).toEqual([`SubscriptionPurchased ${derivedId(orderId, n, 'purchase', 0)}`]);
    }
  });

  it('derives the order id from partner, customer and Idempotency-Key: a resend answers the same order and buys nothing again', async () => {
    const first = await place([standard()], 'key-1');
    expect(first.orderId).toBe(derivedId('order', 'contoso', customerId, 'key-1'));
    const stored = await everything();
    expect(await place([standard()], 'key-1')).toEqual(first);
    expect(await everything()).toEqual(stored);
  });

  it('refuses the same Idempotency-Key with another body (422) and stores nothing', async () => {
    await place([standard()], 'key-1');
    const stored = await everything();
    await expect(place([standard({ quantity: 6 })], 'key-1')).rejects.toMatchObject({ code: 'idempotency-key-reused', kind: 'unprocessable' });
    expect(await everything()).toEqual(stored);
  });

  it('gives every order without a key its own ids', async () => {
    expect((await place([standard()])).orderId).not.toBe((await place([standard()])).orderId);
  });

  it('completes an order a resend finds pending (the API crashed between placing and completing), each subscription bought once', async () => {
    const complete = completion;
    completion = () => Promise.reject(new Error('crashed'));
    await expect(place([standard(), standard()], 'key-1')).rejects.toThrow('crashed');
    const orderId = derivedId('order', 'contoso', customerId, 'key-1');
    expect(await ids(orderStream(orderId))).toEqual([`OrderPlaced ${derivedId(orderId, 'placed', 0)}`]);

    completion = complete;
    expect(await place([standard(), standard()], 'key-1')).toMatchObject({ orderId, status: 'completed' });
    expect((await everything()).filter((type) => type === 'SubscriptionPurchased')).toHaveLength(2);
  });

  it.each([
    ["another partner's customer", 'northwind', customerId],
    ['a customer that does not exist', 'contoso', randomUUID()],
  ])('refuses to buy for %s as customer-not-found, and stores nothing', async (_case, partnerId, customer) => {
    const refusal = await place([standard()], null, partnerId, customer).catch((error: unknown) => error);
    expect(isDomainError(refusal) && refusal.code).toBe('customer-not-found');
    expect(await everything()).toEqual(['CustomerCreated']);
  });

  it('reports a catalog miss as what it is, pointing at the line item field, and stores nothing', async () => {
    await expect(place([standard(), standard({ offerId: 'nope' })])).rejects.toMatchObject({
      code: 'unknown-offer',
      extensions: { pointer: '/lineItems/1/offerId' },
    });
    await expect(place([standard({ planId: 'nope' })])).rejects.toMatchObject({ code: 'unknown-plan', extensions: { pointer: '/lineItems/0/planId' } });
    expect(await everything()).toEqual(['CustomerCreated']);
  });

  it('sells Fabrikam Analytics for the terms and billing cycles its catalog entry names, and refuses the others, storing nothing', async () => {
    const analytics = (overrides: Partial<OrderLine>) => standard({ offerId: 'fabrikam-analytics', planId: 'team', quantity: 3, ...overrides });
    await expect(place([analytics({ termDuration: 'P2Y', billingCycle: 'monthly' })])).rejects.toMatchObject({
      code: 'unavailable-billing-cycle',
      kind: 'validation',
      extensions: { pointer: '/lineItems/0/billingCycle', billingCycles: ['annual', 'upfront'] },
    });
    await expect(place([standard({ termDuration: 'P3Y', billingCycle: 'annual' })])).rejects.toMatchObject({ code: 'unavailable-term', extensions: { pointer: '/lineItems/0/termDuration' } });
    // fabrikam-crm names no billing cycles: a year billed upfront is not among those it has always sold.
    await expect(place([standard({ termDuration: 'P1Y', billingCycle: 'upfront' })])).rejects.toMatchObject({ code: 'unavailable-billing-cycle' });
    expect(await everything()).toEqual(['CustomerCreated']);

    const order = await place([analytics({ termDuration: 'P3Y', billingCycle: 'annual' }), analytics({ termDuration: 'P2Y', billingCycle: 'upfront' })]);
    expect(order.lineItems.map(({ offerName, termDuration, billingCycle, unitPrice, cancellationWindowMs }) => [offerName, termDuration, billingCycle, unitPrice, cancellationWindowMs])).toEqual([
      ['Fabrikam Analytics', 'P3Y', 'annual', '540.00', 72 * 3_600_000],
      ['Fabrikam Analytics', 'P2Y', 'upfront', '380.00', 72 * 3_600_000],
    ]);
  });

  it('refuses the whole order when one line breaks a purchase rule, and stores nothing', async () => {
    await expect(place([standard(), standard({ planId: 'enterprise', quantity: 2 })])).rejects.toMatchObject({
      code: 'quantity-out-of-range',
      extensions: { pointer: '/lineItems/1/quantity' },
    });
    expect(await everything()).toEqual(['CustomerCreated']);
  });
});
