import { derivedId } from '@mfh/event-store';
import { CatalogPlan, purchasesOf, SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventMetadata, handleCommand, InMemoryEventStore } from '@mfh/event-store';
import { placedOrder } from '@mfh/testing';
import { ListPublisherNotifications } from './list-publisher-notifications.query';
import { ListPublisherNotificationsHandler } from './list-publisher-notifications.handler';

const LIMITS = { minQuantity: 1, maxQuantity: 500 };
const ENTERPRISE: CatalogPlan = { id: 'enterprise', minQuantity: 1, maxQuantity: 10000, isPrivate: false, isPricePerSeat: true };
const PURCHASED = '2026-03-01T10:00:00.000Z';
const BILLED = '2026-03-02T10:00:00.000Z';
const LATER = '2026-03-05T10:00:00.000Z';
const AFTER_TERM = '2026-04-03T10:00:00.000Z';
const metadata: EventMetadata = {
  actor: 'test',
  role: 'system',
  source: 'System',
  correlationId: 'not-a-uuid',
  causationId: 'test',
  requestId: 'test',
  occurredAt: PURCHASED,
};

describe('ListPublisherNotifications', () => {
  let store: InMemoryEventStore;
  let subscriptionId: string;

  const run = async (...commands: SubscriptionCommand[]) => {
    for (const command of commands) {
      await handleCommand(store, subscriptionStream(subscriptionId), subscriptionDecider, (state) => subscriptionDecider.decide(command, state), { metadata });
    }
  };
  const plan = async () => new ListPublisherNotificationsHandler(store).execute(new ListPublisherNotifications(await store.readAll()));

  beforeEach(async () => {
    store = new InMemoryEventStore();
    const order = placedOrder({ lines: 1, placedAt: PURCHASED });
    subscriptionId = order.lineItems[0].subscriptionId;
    await run(...purchasesOf(order));
  });

  const billing = (quantity = 1): SubscriptionCommand[] => [
    { type: 'RecordLicensesAssigned', data: { assignedSeats: quantity } },
    { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity, pricedPerSeat: true } },
    { type: 'StartBilling', data: { now: BILLED } },
  ];
  const changeSeats = (quantity: number, operationId: string): SubscriptionCommand => ({
    type: 'ChangeSeats',
    data: { quantity, limits: LIMITS, operationId, requestedBy: 'Partner', now: LATER },
  });

  it('notifies nothing for a purchase, billing, renames and seat changes before billing', async () => {
    await run(changeSeats(3, 'ignored'), { type: 'RenameSubscription', data: { friendlyName: 'Renamed' } }, ...billing(3));
    expect(await plan()).toEqual([]);
  });

  it("builds a ChangeQuantity from the state right after the request: a later acceptance does not leak in", async () => {
    await run(...billing(), changeSeats(7, 'op-seats'), { type: 'AcceptOperation', data: { operationId: 'op-seats', now: LATER, answeredBy: 'Publisher' } });
    const planned = await plan();
    expect(planned).toHaveLength(1);
    expect(planned[0].event.type).toBe('SeatChangeRequested');
    expect(planned[0].payload).toEqual({
      id: 'op-seats',
      activityId: derivedId('operation-activity', 'op-seats'),
      subscriptionId,
      publisherId: 'fabrikam',
      offerId: 'fabrikam-crm',
      planId: 'standard',
      quantity: 7,
      action: 'ChangeQuantity',
      status: 'InProgress',
      timeStamp: LATER,
      operationRequestSource: 'Partner',
      subscription: expect.objectContaining({ id: subscriptionId, quantity: 1, saasSubscriptionStatus: 'Subscribed' }),
      purchaseToken: null,
    });
  });

  it('gives two changes of one stream in one batch each its own state', async () => {
    await run(
      ...billing(),
      changeSeats(7, 'op-1'),
      { type: 'AcceptOperation', data: { operationId: 'op-1', now: LATER, answeredBy: 'Publisher' } },
      changeSeats(9, 'op-2'),
    );
    const planned = await plan();
    expect(planned.map((p) => [p.payload.id, p.payload.quantity, p.payload.subscription.quantity])).toEqual([
      ['op-1', 7, 1],
      ['op-2', 9, 7],
    ]);
  });

  it('a plan change the publisher asked for comes from Azure', async () => {
    await run(...billing(), {
      type: 'ChangePlan',
      data: { planId: 'enterprise', plan: ENTERPRISE, operationId: 'op-plan', requestedBy: 'Publisher', now: LATER },
    });
    expect((await plan()).map((p) => p.payload)).toEqual([
      expect.objectContaining({ action: 'ChangePlan', status: 'InProgress', planId: 'enterprise', operationRequestSource: 'Azure' }),
    ]);
  });

  it("a partner's cancellation is an Unsubscribe that has succeeded, with the subscription unsubscribed", async () => {
    await run({ type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: 'op-cancel', now: BILLED } });
    const [planned] = await plan();
    expect(planned.event.type).toBe('Cancelled');
    expect(planned.payload).toMatchObject({
      id: 'op-cancel',
      action: 'Unsubscribe',
      status: 'Succeeded',
      operationRequestSource: 'Partner',
      timeStamp: BILLED,
      subscription: { saasSubscriptionStatus: 'Unsubscribed' },
    });
  });

  it('a renewal is a Renew with the new term; a term that ends with auto-renew off is an Unsubscribe from Azure', async () => {
    await run(...billing(), { type: 'RenewSubscription', data: { operationId: 'op-renew', now: AFTER_TERM, termEnd: '2026-04-01' } });
    await run({ type: 'DisableAutoRenew', data: {} }, { type: 'RenewSubscription', data: { operationId: 'op-expire', now: '2026-06-01T00:00:00.000Z', termEnd: '2026-05-01' } });
    const planned = await plan();
    expect(planned.map((p) => [p.event.type, p.payload.action, p.payload.status, p.payload.operationRequestSource])).toEqual([
      ['SubscriptionRenewed', 'Renew', 'Succeeded', 'Azure'],
      ['SubscriptionExpired', 'Unsubscribe', 'Succeeded', 'Azure'],
    ]);
    expect(planned[0].payload.subscription.term.startDate).toBe('2026-04-02T00:00:00Z');
    expect(planned[1].payload.subscription.saasSubscriptionStatus).toBe('Unsubscribed');
  });

  it('a renewal that applies scheduled changes is a Renew, then a ChangePlan and a ChangeQuantity that have succeeded, from Azure', async () => {
    const plans: CatalogPlan[] = [{ ...ENTERPRISE, id: 'standard' }, ENTERPRISE];
    await run(
      ...billing(),
      { type: 'ScheduleNextTerm', data: { instructions: { planId: 'enterprise', quantity: 12 }, plans, terms: [{ termDuration: 'P1M', billingCycles: ['monthly'] }], now: LATER } },
      {
        type: 'RenewSubscription',
        data: { operationId: 'op-renew', now: AFTER_TERM, termEnd: '2026-04-01', changeOperationIds: { changePlan: 'op-plan', changeQuantity: 'op-seats' } },
      },
    );
    const planned = await plan();
    expect(planned.map((p) => [p.event.type, p.payload.id, p.payload.action, p.payload.status, p.payload.operationRequestSource, p.payload.planId, p.payload.quantity])).toEqual([
      ['SubscriptionRenewed', 'op-renew', 'Renew', 'Succeeded', 'Azure', 'enterprise', 12],
      ['NextTermChangeApplied', 'op-plan', 'ChangePlan', 'Succeeded', 'Azure', 'enterprise', 12],
      ['NextTermChangeApplied', 'op-seats', 'ChangeQuantity', 'Succeeded', 'Azure', 'enterprise', 12],
    ]);
    expect(planned[1].payload).toMatchObject({ timeStamp: AFTER_TERM, subscription: { planId: 'enterprise', quantity: 12, term: { startDate: '2026-04-02T00:00:00Z' } } });
  });
});
