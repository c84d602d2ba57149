import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore, RecordedEvent } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListBillingCyclesDueHandler } from './list-billing-cycles-due.handler';
import { ListBillingCyclesDue } from './list-billing-cycles-due.query';

const [licenses, fulfilment] = activeEvents();
const yearBilledMonthly: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 12, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '120.00' },
};
const cycle = (cycleStart: string, cycleEnd: string): SubscriptionEvent => ({ type: 'BillingCycleStarted', data: { cycleStart, cycleEnd, quantity: 12 } });

describe('ListBillingCyclesDue', () => {
  let store: EventStore;
  let handler: ListBillingCyclesDueHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new ListBillingCyclesDueHandler(store);
  });

  async function stored(...events: SubscriptionEvent[]) {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, termDuration: 'P1Y', billingCycle: 'monthly' }), licenses, fulfilment, ...events]);
    return { subscriptionId, events: await store.readStream(subscriptionStream(subscriptionId)) };
  }
  const cycleStarts = async (events: readonly RecordedEvent[]) =>
    (await handler.execute(new ListBillingCyclesDue(events))).map((due) => [due.event.type, due.cycle.cycleStart, due.cycle.dueAt]);

  it('gives the cycle each event leaves the subscription waiting for, as of that event', async () => {
    const { subscriptionId, events } = await stored(yearBilledMonthly, cycle('2026-04-02', '2026-05-01'));
    expect(await cycleStarts(events)).toEqual([
      ['BillingStarted', '2026-04-02', '2026-04-02T00:00:00.000Z'],
      ['BillingCycleStarted', '2026-05-02', '2026-05-02T00:00:00.000Z'],
    ]);
    expect((await handler.execute(new ListBillingCyclesDue(events.slice(-1))))[0]).toMatchObject({ subscriptionId, event: { id: events.at(-1)!.id } });
  });

  it('gives none after a term’s last cycle, for a term billed in one cycle, or for a cancelled subscription', async () => {
    const last = await stored(yearBilledMonthly, cycle('2027-02-02', '2027-03-01'));
    expect(await cycleStarts(last.events.slice(-1))).toEqual([]);
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId }), ...activeEvents()]);
    expect(await cycleStarts(await store.readStream(subscriptionStream(subscriptionId)))).toEqual([]);
    const cancelled = await stored(yearBilledMonthly, {
      type: 'Cancelled',
      data: { cancelledAt: '2026-03-03T00:00:00.000Z', requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null },
    });
    expect(await cycleStarts(cancelled.events.slice(-1))).toEqual([]);
  });

  it('knows a renewed term is billed monthly, though the renewal does not say', async () => {
    const { events } = await stored(yearBilledMonthly, {
      type: 'SubscriptionRenewed',
      data: { operationId: randomUUID(), termStart: '2027-03-02', termEnd: '2028-03-01', quantity: 12, chargedAmount: '120.00', renewedAt: '2027-03-02T00:00:00.000Z' },
    });
    expect(await cycleStarts(events.slice(-1))).toEqual([['SubscriptionRenewed', '2027-04-02', '2027-04-02T00:00:00.000Z']]);
  });
});
