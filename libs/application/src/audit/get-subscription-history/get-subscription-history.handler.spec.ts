import { subscriptionStream } from '@mfh/domain';
import type { EventStore } from '@mfh/event-store';
import { given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetSubscriptionHistory } from './get-subscription-history.query';
import { GetSubscriptionHistoryHandler } from './get-subscription-history.handler';

describe('GetSubscriptionHistory', () => {
  let store: EventStore;
  let handler: GetSubscriptionHistoryHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new GetSubscriptionHistoryHandler(store);
  });

  it('reads every event of the subscription, any partner’s, in revision order', async () => {
    const id = randomUUID();
    await given(store, subscriptionStream(id), [purchasedEvent({ subscriptionId: id, customerId: randomUUID() }), { type: 'AutoRenewDisabled', data: {} }]);
    const events = await handler.execute(new GetSubscriptionHistory(id));
    expect(events.map((event) => [event.revision, event.type, event.streamId])).toEqual([
      [0, 'SubscriptionPurchased', subscriptionStream(id)],
      [1, 'AutoRenewDisabled', subscriptionStream(id)],
    ]);
    expect(events[1].previousHash).toBe(events[0].hash);
  });

  it('reports a subscription without events as not found', async () => {
    await expect(handler.execute(new GetSubscriptionHistory(randomUUID()))).rejects.toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
  });
});
