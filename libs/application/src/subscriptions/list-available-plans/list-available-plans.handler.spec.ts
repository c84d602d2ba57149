import { parseCatalog } from '@mfh/config';
import { isDomainError, SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { developmentCatalog, given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListAvailablePlansHandler } from './list-available-plans.handler';
import { ListAvailablePlans } from './list-available-plans.query';
import { StreamStates } from '../../stream-states';

/** The development catalog plus a private plan of the CRM offer. */
function catalogWithPrivatePlan() {
  const file = structuredClone(developmentCatalog().file);
  file.offers[0].plans.push({ ...file.offers[0].plans[1], id: 'vip', name: 'VIP', isPrivate: true });
  return parseCatalog(file);
}

describe('ListAvailablePlans', () => {
  let store: EventStore;
  let handler: ListAvailablePlansHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new ListAvailablePlansHandler(new StreamStates(store), catalogWithPrivatePlan());
  });

  async function subscription(planId = 'standard'): Promise<string> {
    const subscriptionId = randomUUID();
    const purchased = purchasedEvent({ subscriptionId, customerId: randomUUID() });
    await given(store, subscriptionStream(subscriptionId), [{ ...purchased, data: { ...purchased.data, planId } } as SubscriptionEvent]);
    return subscriptionId;
  }

  const planIds = async (subscriptionId: string, planId?: string) =>
    (await handler.execute(new ListAvailablePlans('fabrikam', subscriptionId, planId))).map((plan) => plan.planId);

  it('lists the public plans of the offer in Microsoft’s Plan shape, the current one included', async () => {
    const id = await subscription();
    expect(await planIds(id)).toEqual(['standard', 'enterprise']);
    const [standard] = await handler.execute(new ListAvailablePlans('fabrikam', id, undefined));
    expect(standard).toEqual({
      planId: 'standard',
      displayName: 'Standard',
      isPrivate: false,
      description: 'Per-seat CRM for teams.',
      minQuantity: 1,
      maxQuantity: 500,
      hasFreeTrials: false,
      isPricePerSeat: true,
      isStopSell: false,
      planComponents: {
        recurrentBillingTerms: [
          { currency: 'USD', price: 12, termUnit: 'P1M', termDescription: '1 month' },
          { currency: 'USD', price: 120, termUnit: 'P1Y', termDescription: '1 year' },
        ],
        meteringDimensions: [],
      },
    });
  });

  it('lists a multi-year offer’s prices with Microsoft’s TermUnit for each term', async () => {
    const subscriptionId = randomUUID();
    const purchased = purchasedEvent({ subscriptionId, customerId: randomUUID() });
    await given(store, subscriptionStream(subscriptionId), [{ ...purchased, data: { ...purchased.data, offerId: 'fabrikam-analytics', planId: 'team' } } as SubscriptionEvent]);
    const plans = await handler.execute(new ListAvailablePlans('fabrikam', subscriptionId, undefined));
    expect(plans.map((plan) => plan.planId)).toEqual(['team', 'business']);
    expect(plans[0].planComponents.recurrentBillingTerms).toEqual([
      { currency: 'USD', price: 20, termUnit: 'P1M', termDescription: '1 month' },
      { currency: 'USD', price: 200, termUnit: 'P1Y', termDescription: '1 year' },
      { currency: 'USD', price: 380, termUnit: 'P2Y', termDescription: '2 years' },
      { currency: 'USD', price: 540, termUnit: 'P3Y', termDescription: '3 years' },
    ]);
  });

  it('includes a private plan only when the subscription is on it', async () => {
    expect(await planIds(await subscription('vip'))).toEqual(['standard', 'enterprise', 'vip']);
  });

  it('narrows to one plan, and to none for a plan it does not have', async () => {
    const id = await subscription();
    expect(await planIds(id, 'enterprise')).toEqual(['enterprise']);
    expect(await planIds(id, 'gold')).toEqual([]);
    expect(await planIds(id, 'vip')).toEqual([]);
  });

  it("reports another publisher's subscription as not found", async () => {
    const id = await subscription();
    const error = await handler.execute(new ListAvailablePlans('tailspin', id, undefined)).catch((thrown: unknown) => thrown);
    expect(isDomainError(error) && error.code).toBe('subscription-not-found');
  });
});
