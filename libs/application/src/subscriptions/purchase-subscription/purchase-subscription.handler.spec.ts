import { PurchaseSubscription as Purchase, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { inMemoryStore, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { PurchaseSubscription } from './purchase-subscription.command';
import { PurchaseSubscriptionHandler } from './purchase-subscription.handler';

const NOW = '2026-03-02T12:00:00.000Z';

describe('PurchaseSubscription', () => {
  let store: EventStore;
  let handler: PurchaseSubscriptionHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new PurchaseSubscriptionHandler(new CommandExecutor(store));
  });

  const purchase = (overrides: Partial<Purchase['data']> = {}): Purchase['data'] => ({
    subscriptionId: randomUUID(),
    customerId: randomUUID(),
    partnerId: 'contoso',
    orderId: randomUUID(),
    lineItemNumber: 2,
    offerId: 'fabrikam-crm',
    offerName: 'Fabrikam CRM',
    planId: 'standard',
    publisherId: 'fabrikam',
    publisherName: 'Fabrikam',
    quantity: 5,
    limits: { minQuantity: 1, maxQuantity: 500 },
    termDuration: 'P1M',
    billingCycle: 'monthly',
    friendlyName: 'CRM',
    indirectResellerId: null,
    unitPrice: '12.00',
    currency: 'USD',
    cancellationWindowMs: 72 * 3_600_000,
    testClockId: null,
    now: '2026-03-01T10:00:00.000Z',
    ...overrides,
  });

  const buy = (data: Purchase['data']) => handler.execute(new PurchaseSubscription(data, requestMetadata(NOW)));

  it("buys the line item's subscription, with an event id derived from the order line", async () => {
    const data = purchase();
    const result = await buy(data);
    expect(result).toMatchObject({ revision: 0, startedOperationId: null, subscription: { id: data.subscriptionId, status: 'pending', quantity: 5 } });
    const [stored] = await store.readStream(subscriptionStream(data.subscriptionId));
    expect(stored).toMatchObject({ id: derivedId(data.orderId, 2, 'purchase', 0), type: 'SubscriptionPurchased' });
    expect(stored.data).toMatchObject({ purchasedAt: data.now, cancellationAllowedUntil: '2026-03-04T10:00:00.000Z' });
  });

  it('buys nothing again for the same order line', async () => {
    const data = purchase();
    await buy(data);
    expect(await buy(data)).toMatchObject({ revision: 0, subscription: { id: data.subscriptionId } });
    expect(await store.readStream(subscriptionStream(data.subscriptionId))).toHaveLength(1);
  });

  it('refuses a purchase the rules refuse', async () => {
    const data = purchase({ quantity: 501 });
    await expect(buy(data)).rejects.toMatchObject({ code: 'quantity-out-of-range' });
    expect(await store.readStream(subscriptionStream(data.subscriptionId))).toHaveLength(0);
  });
});
