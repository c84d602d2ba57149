import { isDomainError, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetSaasSubscriptionHandler } from './get-saas-subscription.handler';
import { GetSaasSubscription } from './get-saas-subscription.query';
import { StreamStates } from '../../stream-states';

describe('GetSaasSubscription', () => {
  let store: EventStore;
  let handler: GetSaasSubscriptionHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new GetSaasSubscriptionHandler(new StreamStates(store));
  });

  it('reads the subscription from its stream, every write included', async () => {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() })]);
    expect(await handler.execute(new GetSaasSubscription('fabrikam', subscriptionId))).toMatchObject({
      id: subscriptionId,
      saasSubscriptionStatus: 'PendingFulfillmentStart',
    });
    await given(store, subscriptionStream(subscriptionId), activeEvents());
    expect(await handler.execute(new GetSaasSubscription('fabrikam', subscriptionId))).toMatchObject({
      saasSubscriptionStatus: 'Subscribed',
      term: { startDate: expect.stringContaining('2026-03-02') },
    });
  });

  it("reports an unknown subscription and another publisher's alike, as not found", async () => {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() })]);
    for (const query of [new GetSaasSubscription('tailspin', subscriptionId), new GetSaasSubscription('fabrikam', randomUUID())]) {
      const error = await handler.execute(query).catch((thrown: unknown) => thrown);
      expect(isDomainError(error) && error.code).toBe('subscription-not-found');
    }
  });
});
