import { ExistingSubscription, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { loadState } from '@mfh/event-store';
import { saasSubscriptionView, SubscriptionsRepository } from '@mfh/read-models';
import { activeEvents, given, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListPublisherSubscriptions } from './list-publisher-subscriptions.query';
import { ListPublisherSubscriptionsHandler } from './list-publisher-subscriptions.handler';

describe('ListPublisherSubscriptions', () => {
  let fixture: ReadModelsFixture;
  let handler: ListPublisherSubscriptionsHandler;
  const ids = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    fixture = await readModelsFixture();
    handler = new ListPublisherSubscriptionsHandler(new SubscriptionsRepository(fixture.pool));
    await given(fixture.store, subscriptionStream(ids[0]), [purchasedEvent({ subscriptionId: ids[0], customerId: randomUUID() })]);
    await given(fixture.store, subscriptionStream(ids[1]), [
      purchasedEvent({ subscriptionId: ids[1], customerId: randomUUID() }),
      ...activeEvents(),
      { type: 'Cancelled', data: { cancelledAt: '2026-03-03T10:00:00.000Z', requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null } },
    ]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it('lists every subscription of the publisher’s offers, cancelled ones included, in the fulfillment API’s shape', async () => {
    const page = await handler.execute(new ListPublisherSubscriptions('fabrikam', { size: 100 }));
    expect(page).toMatchObject({ totalCount: 2, continuationToken: null });
    for (const view of page.items) {
      const { state } = await loadState(fixture.store, subscriptionStream(view.id), subscriptionDecider);
      expect(view).toEqual(saasSubscriptionView(state as ExistingSubscription));
    }
    expect(page.items.map((view) => view.saasSubscriptionStatus).sort()).toEqual(['PendingFulfillmentStart', 'Unsubscribed']);
  });

  it('shows another publisher none of them', async () => {
    expect(await handler.execute(new ListPublisherSubscriptions('contoso-apps', { size: 100 }))).toEqual({ items: [], totalCount: 0, continuationToken: null });
  });
});
