import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, developmentCatalog, given, inMemoryStore, purchasedEvent, requestMetadata, catalogWithPlan, refusal } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { ChangeSaasSubscription } from './change-saas-subscription.command';
import { ChangeSaasSubscriptionHandler } from './change-saas-subscription.handler';

const NOW = '2026-03-05T09:00:00.000Z';

describe('ChangeSaasSubscription', () => {
  let store: EventStore;
  let handler: ChangeSaasSubscriptionHandler;
  const customerId = randomUUID();

  beforeEach(() => {
    store = inMemoryStore();
    handler = new ChangeSaasSubscriptionHandler(new CommandExecutor(store), catalogWithPlan({ ...developmentCatalog().file.offers[0].plans[1], id: 'vip', name: 'VIP', isPrivate: true }));
  });

  async function subscribed(quantity = 12): Promise<string> {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId, quantity }), ...activeEvents(quantity)]);
    return subscriptionId;
  }

  const change = (subscriptionId: string, request: { planId?: string; quantity?: number }, publisherId = 'fabrikam') =>
    handler.execute(
      new ChangeSaasSubscription(publisherId, subscriptionId, request.planId ?? null, request.quantity ?? null, requestMetadata(NOW, 'fabrikam-publisher')),
    );

  const requestsOn = async (subscriptionId: string) =>
    (await store.readStream(subscriptionStream(subscriptionId))).slice(4).map(({ type, data }) => ({ type, data }) as SubscriptionEvent);

  it('asks for a seat change, and answers a repeat with the same operation and nothing new', async () => {
    const id = await subscribed();
    const first = await change(id, { quantity: 15 });
    expect(await requestsOn(id)).toEqual([
      {
        type: 'SeatChangeRequested',
        data: { operationId: first.waitingOperationId, quantity: 15, previousQuantity: 12, requestedBy: 'Publisher', requestedAt: NOW },
      },
    ]);
    expect(first).toMatchObject({ revision: 4, startedOperationId: first.waitingOperationId });
    const again = await change(id, { quantity: 15 });
    expect(again).toMatchObject({ revision: 4, startedOperationId: null, waitingOperationId: first.waitingOperationId });
    expect(await requestsOn(id)).toHaveLength(1);
  });

  it('refuses the quantity it already has, and a plan the offer does not have', async () => {
    const id = await subscribed();
    expect(await refusal(change(id, { quantity: 12 }))).toMatchObject({ code: 'quantity-unchanged', kind: 'validation' });
    expect(await refusal(change(id, { planId: 'gold' }))).toMatchObject({ code: 'plan-not-available', kind: 'validation' });
    expect(await requestsOn(id)).toEqual([]);
  });

  it('asks for a plan change with the new plan’s limits, locking its price for the subscription’s term', async () => {
    const id = await subscribed();
    const result = await change(id, { planId: 'enterprise' });
    expect(await requestsOn(id)).toEqual([
      {
        type: 'PlanChangeRequested',
        data: { operationId: result.waitingOperationId, planId: 'enterprise', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: NOW, unitPrice: '30.00' },
      },
    ]);
    expect(await refusal(change(await subscribed(5), { planId: 'enterprise' }))).toMatchObject({ code: 'quantity-out-of-range', kind: 'validation' });
  });

  it('refuses a private plan, and seats outside the current plan’s limits', async () => {
    const id = await subscribed();
    expect(await refusal(change(id, { planId: 'vip' }))).toMatchObject({ code: 'plan-not-available', kind: 'validation' });
    expect(await refusal(change(id, { quantity: 501 }))).toMatchObject({ code: 'quantity-out-of-range', kind: 'validation' });
  });

  it('refuses a seat change on a plan withdrawn from the catalog, whose limits are unknown', async () => {
    const subscriptionId = randomUUID();
    const purchased = purchasedEvent({ subscriptionId, customerId });
    await given(store, subscriptionStream(subscriptionId), [{ ...purchased, data: { ...purchased.data, planId: 'retired' } } as SubscriptionEvent, ...activeEvents()]);
    expect(await refusal(change(subscriptionId, { quantity: 15 }))).toMatchObject({ code: 'plan-withdrawn', kind: 'rule' });
  });

  it('wants exactly one of planId and quantity', async () => {
    const id = await subscribed();
    expect(await refusal(change(id, { planId: 'enterprise', quantity: 12 }))).toMatchObject({ code: 'plan-or-quantity', kind: 'validation' });
    expect(await refusal(change(id, {}))).toMatchObject({ code: 'plan-or-quantity', kind: 'validation' });
  });

  it("reports another publisher's subscription as not found, and appends nothing", async () => {
    const id = await subscribed();
    expect(await refusal(change(id, { quantity: 15 }, 'tailspin'))).toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
    expect(await requestsOn(id)).toEqual([]);
  });
});
