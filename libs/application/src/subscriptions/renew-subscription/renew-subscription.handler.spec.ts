import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { RenewSubscription } from './renew-subscription.command';
import { RenewSubscriptionHandler } from './renew-subscription.handler';

/** activeEvents' term runs 2026-03-02 to 2026-04-01 inclusive; it is due on the 2nd of April. */
const TERM_END = '2026-04-01';
const DUE = '2026-04-02T00:00:05.000Z';

describe('RenewSubscription', () => {
  let store: EventStore;
  let handler: RenewSubscriptionHandler;
  let subscriptionId: string;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new RenewSubscriptionHandler(new CommandExecutor(store));
    subscriptionId = randomUUID();
  });

  const subscriptionWith = (...events: SubscriptionEvent[]) =>
    given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() }), ...activeEvents(), ...events]);
  const renew = (termEnd = TERM_END, now = DUE) => handler.execute(new RenewSubscription(subscriptionId, termEnd, requestMetadata(now, 'renewals')));
  const stored = () => store.readStream(subscriptionStream(subscriptionId));

  it('renews the term it names, with ids derived from the subscription and that term', async () => {
    await subscriptionWith();
    expect((await renew()).outcome).toBe('renewed');
    expect((await stored()).at(-1)).toMatchObject({
      id: derivedId(subscriptionId, TERM_END, 'renewal-event', 0),
      type: 'SubscriptionRenewed',
      data: { operationId: derivedId(subscriptionId, TERM_END, 'renewal'), termStart: '2026-04-02', termEnd: '2026-05-01', renewedAt: DUE },
    });
  });

  it('applies scheduled instructions, recording the plan and seat changes as operations with ids derived from the term', async () => {
    await subscriptionWith({
      type: 'NextTermScheduled',
      data: { planId: 'enterprise', quantity: 15, termDuration: 'P1M', billingCycle: 'monthly', unitPrice: '30.00', scheduledAt: '2026-03-10T00:00:00.000Z' },
    });
    expect((await renew()).outcome).toBe('renewed');
    const appended = (await stored()).slice(-3);
    expect(appended.map(({ id, type }) => ({ id, type }))).toEqual([
      { id: derivedId(subscriptionId, TERM_END, 'renewal-event', 0), type: 'SubscriptionRenewed' },
      { id: derivedId(subscriptionId, TERM_END, 'renewal-event', 'change-ChangePlan'), type: 'NextTermChangeApplied' },
      { id: derivedId(subscriptionId, TERM_END, 'renewal-event', 'change-ChangeQuantity'), type: 'NextTermChangeApplied' },
    ]);
    expect(appended[0].data).toMatchObject({ planId: 'enterprise', quantity: 15, chargedAmount: '450.00' });
    expect(appended.slice(1).map((event) => [event.data.action, event.data.operationId])).toEqual([
      ['ChangePlan', derivedId(subscriptionId, TERM_END, 'renewal', 'ChangePlan')],
      ['ChangeQuantity', derivedId(subscriptionId, TERM_END, 'renewal', 'ChangeQuantity')],
    ]);
    expect((await renew()).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(8);
  });

  it('ends the subscription with its term when auto-renew is off', async () => {
    await subscriptionWith({ type: 'AutoRenewDisabled', data: {} });
    expect((await renew()).outcome).toBe('expired');
    expect((await stored()).at(-1)).toMatchObject({
      id: derivedId(subscriptionId, TERM_END, 'renewal-event', 0),
      type: 'SubscriptionExpired',
      data: { operationId: derivedId(subscriptionId, TERM_END, 'renewal'), termEnd: TERM_END, expiredAt: DUE },
    });
  });

  it('renews a term once: run again, or for a term that is not the current one, it does nothing', async () => {
    await subscriptionWith();
    await renew();
    expect((await renew()).outcome).toBe('nothing-to-do');
    expect((await renew('2026-03-01')).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(5);
  });

  it('does nothing before the term has ended', async () => {
    await subscriptionWith();
    expect((await renew(TERM_END, '2026-04-01T23:59:59.000Z')).outcome).toBe('nothing-to-do');
    expect(await stored()).toHaveLength(4);
  });

  it('fired by a test clock advance, decides at the due time it is given rather than the metadata’s, and says where its event went', async () => {
    await subscriptionWith();
    const fired = await handler.execute(new RenewSubscription(subscriptionId, TERM_END, requestMetadata('2030-01-01T00:00:00.000Z', 'test-clock'), DUE));
    expect(fired).toEqual({ outcome: 'renewed', position: (await stored()).at(-1)!.position });
    expect((await stored()).at(-1)).toMatchObject({ data: { renewedAt: DUE }, metadata: { occurredAt: DUE } });
  });
});
