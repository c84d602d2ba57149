import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata, catalogWithPlan, refusal } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { ActivateSubscription } from './activate-subscription.command';
import { ActivateSubscriptionHandler } from './activate-subscription.handler';

const NOW = '2026-03-02T12:00:00.000Z';

describe('ActivateSubscription', () => {
  let store: EventStore;
  let handler: ActivateSubscriptionHandler;
  const customerId = randomUUID();

  beforeEach(() => {
    store = inMemoryStore();
    handler = new ActivateSubscriptionHandler(new CommandExecutor(store), catalogWithPlan({ id: 'site', name: 'Site', isPricePerSeat: false, minQuantity: 1, maxQuantity: 1 }));
  });

  async function subscription(planId = 'standard', ...later: SubscriptionEvent[]): Promise<string> {
    const subscriptionId = randomUUID();
    const purchased = purchasedEvent({ subscriptionId, customerId });
    await given(store, subscriptionStream(subscriptionId), [{ ...purchased, data: { ...purchased.data, planId } } as SubscriptionEvent, ...later]);
    return subscriptionId;
  }

  const activate = (subscriptionId: string, planId: string, quantity: number | null, publisherId = 'fabrikam') =>
    handler.execute(new ActivateSubscription(publisherId, subscriptionId, planId, quantity, requestMetadata(NOW, 'fabrikam-publisher')));

  const eventsOn = async (subscriptionId: string) =>
    (await store.readStream(subscriptionStream(subscriptionId))).slice(1).map(({ type, data }) => ({ type, data }));

  it('confirms exactly what was bought, once', async () => {
    const id = await subscription();
    const result = await activate(id, 'standard', 12);
    expect(await eventsOn(id)).toEqual([{ type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 12 } }]);
    expect(result).toMatchObject({ revision: 1, startedOperationId: null, subscription: { fulfillmentConfirmed: true } });
    await activate(id, 'standard', 12);
    expect(await eventsOn(id)).toHaveLength(1);
  });

  it('wants the quantity of a per-seat plan, and of a plan no longer in the catalog', async () => {
    expect(await refusal(activate(await subscription(), 'standard', null))).toMatchObject({ code: 'quantity-required', kind: 'validation' });
    expect(await refusal(activate(await subscription('retired'), 'retired', null))).toMatchObject({ code: 'quantity-required', kind: 'validation' });
  });

  it('takes the bought quantity for a plan not priced per seat', async () => {
    const id = await subscription('site');
    await activate(id, 'site', null);
    expect(await eventsOn(id)).toEqual([{ type: 'FulfillmentConfirmed', data: { planId: 'site', quantity: 12 } }]);
  });

  it('reports a cancelled subscription as Unsubscribed before asking for the quantity', async () => {
    const cancelled: SubscriptionEvent = {
      type: 'Cancelled',
      data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null },
    };
    const id = await subscription('standard', cancelled);
    expect(await refusal(activate(id, 'standard', null))).toMatchObject({ code: 'subscription-unsubscribed', kind: 'not-found' });
  });

  it('refuses a plan or quantity that is not what was bought', async () => {
    const id = await subscription();
    expect(await refusal(activate(id, 'enterprise', 12))).toMatchObject({ code: 'fulfillment-mismatch', kind: 'validation' });
    expect(await refusal(activate(id, 'standard', 13))).toMatchObject({ code: 'fulfillment-mismatch', kind: 'validation' });
    expect(await eventsOn(id)).toEqual([]);
  });

  it("reports another publisher's subscription as not found, and appends nothing", async () => {
    const id = await subscription('standard', ...activeEvents().slice(0, 1));
    expect(await refusal(activate(id, 'standard', 12, 'tailspin'))).toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
    expect(await eventsOn(id)).toHaveLength(1);
  });
});
