import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { StartBillingCycle } from './start-billing-cycle.command';
import { StartBillingCycleHandler } from './start-billing-cycle.handler';

/** A year from 2026-03-02 billed monthly: its second cycle runs 2026-04-02 to 2026-05-01, due at the start of the 2nd of April. */
const SECOND = '2026-04-02';
const DUE = '2026-04-02T00:00:05.000Z';
const [licenses, fulfilment] = activeEvents();
const billedMonthlyForAYear: SubscriptionEvent = {
  type: 'BillingStarted',
  data: { termStart: '2026-03-02', termEnd: '2027-03-01', quantity: 12, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '120.00' },
};

describe('StartBillingCycle', () => {
  let store: EventStore;
  let handler: StartBillingCycleHandler;
  let subscriptionId: string;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new StartBillingCycleHandler(new CommandExecutor(store));
    subscriptionId = randomUUID();
  });

  const subscriptionWith = (...events: SubscriptionEvent[]) =>
    given(store, subscriptionStream(subscriptionId), [
      purchasedEvent({ subscriptionId, customerId: randomUUID(), termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00' }),
      licenses,
      fulfilment,
      ...events,
    ]);
  const start = (cycleStart = SECOND, now = DUE) => handler.execute(new StartBillingCycle(subscriptionId, cycleStart, requestMetadata(now, 'billing-cycles')));
  const stored = () => store.readStream(subscriptionStream(subscriptionId));

  it('starts the cycle it names, with an id derived from the subscription and that cycle', async () => {
    await subscriptionWith(billedMonthlyForAYear);
    expect((await start()).outcome).toBe('started');
    expect((await stored()).at(-1)).toMatchObject({
      id: derivedId(subscriptionId, SECOND, 'billing-cycle', 0),
      type: 'BillingCycleStarted',
      data: { cycleStart: SECOND, cycleEnd: '2026-05-01', quantity: 12 },
      metadata: { occurredAt: DUE },
    });
  });

  it('starts a cycle once: run again, or for a cycle already begun, it does nothing', async () => {
    await subscriptionWith(billedMonthlyForAYear);
    await start();
    expect(await start()).toEqual({ outcome: 'nothing-to-do', position: null });
    expect((await start('2026-03-02')).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(5);
  });

  it('does nothing before the cycle has begun', async () => {
    await subscriptionWith(billedMonthlyForAYear);
    expect((await start(SECOND, '2026-04-01T23:59:59.999Z')).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(4);
  });

  it('does nothing for a cancelled subscription, or a term billed in one cycle', async () => {
    await subscriptionWith(billedMonthlyForAYear, {
      type: 'Cancelled',
      data: { cancelledAt: '2026-03-05T00:00:00.000Z', requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null },
    });
    expect((await start()).outcome).toBe('nothing-to-do');
    subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId }), ...activeEvents()]);
    expect((await start()).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(4);
  });

  it('fired by a test clock advance, decides at the due time it is given rather than the metadata’s, and says where its event went', async () => {
    await subscriptionWith(billedMonthlyForAYear);
    const fired = await handler.execute(new StartBillingCycle(subscriptionId, SECOND, requestMetadata('2030-01-01T00:00:00.000Z', 'test-clock'), DUE));
    expect(fired).toEqual({ outcome: 'started', position: (await stored()).at(-1)!.position });
    expect((await stored()).at(-1)).toMatchObject({ type: 'BillingCycleStarted', metadata: { occurredAt: DUE } });
  });
});
