import type { FactoryProvider } from '@nestjs/common';
import type { Clock } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { orderStream, SubscriptionEvent, subscriptionStream, testClockStream } from '@mfh/domain';
import { eventsOfType, InMemoryEventStore, JsonObject } from '@mfh/event-store';
import { JOBS } from '@mfh/messaging';
import type { LogConsumer } from '@mfh/read-models';
import { given, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { billingReactor } from '../billing/billing.reactor';
import { autoAcceptReactor } from '../operations/auto-accept.reactor';
import { orderCompletionReactor } from '../orders/order-completion.reactor';
import { LogConsumers } from '../projections/log-consumers';
import { renewalDue, renewalReactor } from '../renewals/renewal.reactor';
import { testClockReactor } from '../test-clocks/test-clock.reactor';
import { onWallClock } from './reactor';

const NOW = new Date('2026-03-05T10:00:00.000Z');
const clock: Clock = { now: () => NOW };
const config = Object.assign(new AppConfig(), { OPERATION_AUTO_ACCEPT_MS: 3_600_000, ORDER_COMPLETION_DELAY_MS: 5_000 });

/** Builds a reactor as its module would, with a queue that keeps what it was given. */
function build(provider: FactoryProvider<LogConsumer>) {
  const added: { name: string; data: object; opts: { jobId?: string; delay?: number } }[] = [];
  const queue = { addBulk: async (jobs: typeof added) => void added.push(...jobs) };
  const consumers = new LogConsumers();
  const consumer = provider.useFactory(queue, config, clock, consumers) as LogConsumer;
  return { consumer, added, registered: consumers.all() };
}

describe('reactors', () => {
  let store: InMemoryEventStore;
  const subscriptionId = randomUUID();

  beforeEach(() => {
    store = new InMemoryEventStore();
  });

  const log = async (stream: string, ...events: { type: string; data: object }[]) => {
    await given(store, stream, events);
    return store.readAll();
  };

  it('register themselves under their checkpoint names', () => {
    expect([billingReactor, autoAcceptReactor, renewalReactor, orderCompletionReactor].map((p) => build(p).registered.map((c) => c.name))).toEqual([
      ['reactor-billing'],
      ['reactor-operation-auto-accept'],
      ['reactor-renewals'],
      ['reactor-order-completion'],
    ]);
  });

  it('turn only the events they handle into jobs, each with the id of its event', async () => {
    const events = await log(
      subscriptionStream(subscriptionId),
      purchasedEvent({ subscriptionId, customerId: randomUUID() }),
      { type: 'PublisherActivated', data: { assignedSeats: 12 } },
      { type: 'SubscriptionRenamed', data: { friendlyName: 'x', previousFriendlyName: 'CRM' } },
      { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 12 } },
    );
    const { consumer, added } = build(billingReactor);
    await consumer.handle(null as never, events);
    expect(added).toEqual([
      { name: JOBS.startBilling, data: { subscriptionId, causationId: events[1].id, correlationId: expect.any(String) }, opts: { jobId: events[1].id } },
      { name: JOBS.startBilling, data: { subscriptionId, causationId: events[3].id, correlationId: expect.any(String) }, opts: { jobId: events[3].id } },
    ]);
  });

  it('add nothing for a batch without such events', async () => {
    const events = await log(subscriptionStream(subscriptionId), purchasedEvent({ subscriptionId, customerId: randomUUID() }));
    const { consumer, added } = build(billingReactor);
    await consumer.handle(null as never, events);
    expect(added).toEqual([]);
  });

  it('schedule an acceptance for when the window closes, counted from the request', async () => {
    const events = await log(subscriptionStream(subscriptionId), {
      type: 'SeatChangeRequested',
      data: { operationId: 'op-1', quantity: 20, previousQuantity: 12, requestedBy: 'Partner', requestedAt: '2026-03-05T09:30:00.000Z' },
    });
    const { consumer, added } = build(autoAcceptReactor);
    await consumer.handle(null as never, events);
    expect(added).toEqual([
      {
        name: JOBS.acceptOperation,
        data: expect.objectContaining({ subscriptionId, operationId: 'op-1', causationId: events[0].id }),
        opts: { jobId: events[0].id, delay: 30 * 60_000 },
      },
    ]);
  });

  it('schedule each new term for its renewal, and each placed order for a completion check', async () => {
    await given(store, subscriptionStream(subscriptionId), [
      {
        type: 'BillingStarted',
        data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 1, unitPrice: '1.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '1.00' },
      },
    ]);
    const orderId = randomUUID();
    const events = await log(orderStream(orderId), { type: 'OrderPlaced', data: { orderId } });
    const renewals = build(renewalReactor);
    const orders = build(orderCompletionReactor);
    await renewals.consumer.handle(null as never, events);
    await orders.consumer.handle(null as never, events);
    expect(renewals.added).toEqual([
      {
        name: JOBS.renewSubscription,
        data: expect.objectContaining({ subscriptionId, termEnd: '2026-04-01', causationId: events[0].id }),
        opts: { jobId: events[0].id, delay: renewalDue('2026-04-01') - NOW.getTime() },
      },
    ]);
    expect(orders.added).toEqual([
      { name: JOBS.completeOrder, data: { orderId, correlationId: expect.any(String) }, opts: { jobId: events[1].id, delay: 5_000 } },
    ]);
  });

  describe('onWallClock', () => {
    const billingStarted = {
      type: 'BillingStarted',
      data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 1, unitPrice: '1.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '1.00' },
    };
    const seatRequest = (operationId: string) => ({
      type: 'SeatChangeRequested',
      data: { operationId, quantity: 20, previousQuantity: 12, requestedBy: 'Partner', requestedAt: '2026-03-05T09:30:00.000Z' },
    });
    /** Events of a subscription on a test clock: the command path names the clock in their metadata. */
    const onTestClock = async (stream: string, ...events: { type: string; data: object }[]) => {
      const metadata = { ...requestMetadata('2027-01-01T00:00:00.000Z'), testClockId: randomUUID() };
      await store.appendToStream(stream, events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata })));
    };

    it('asks for no job for an event decided on a test clock: an advance fires its timer', async () => {
      const onClock = randomUUID();
      await onTestClock(subscriptionStream(onClock), billingStarted, seatRequest('op-clock'));
      const events = await log(subscriptionStream(subscriptionId), billingStarted, seatRequest('op-wall'));
      const renewals = build(renewalReactor);
      const acceptances = build(autoAcceptReactor);
      await renewals.consumer.handle(null as never, events);
      await acceptances.consumer.handle(null as never, events);
      expect(renewals.added.map((job) => [job.opts.jobId, job.data])).toEqual([[events[2].id, expect.objectContaining({ subscriptionId })]]);
      expect(acceptances.added.map((job) => [job.opts.jobId, job.data])).toEqual([[events[3].id, expect.objectContaining({ subscriptionId, operationId: 'op-wall' })]]);
    });

    it('leaves the advance itself to the test clocks’ reactor: one job per advance asked for, on the clock’s own events', async () => {
      const clockId = randomUUID();
      const events = await log(
        testClockStream(clockId),
        { type: 'TestClockCreated', data: { testClockId: clockId, name: 'Year', frozenTime: '2027-01-01T00:00:00.000Z', createdAt: NOW.toISOString() } },
        { type: 'TestClockAdvanceStarted', data: { from: '2027-01-01T00:00:00.000Z', to: '2027-06-01T00:00:00.000Z', requestedAt: NOW.toISOString() } },
      );
      const { consumer, added, registered } = build(testClockReactor);
      await consumer.handle(null as never, events);
      expect(registered.map((c) => c.name)).toEqual(['reactor-test-clocks']);
      expect(added).toEqual([
        { name: JOBS.advanceTestClock, data: { testClockId: clockId, causationId: events[1].id, correlationId: expect.any(String) }, opts: { jobId: events[1].id } },
      ]);
    });

    it('keeps the guard’s types and still lets through only the types it names', () => {
      const handles = onWallClock(eventsOfType<SubscriptionEvent>()('BillingStarted', 'SubscriptionRenewed'));
      expect(handles.types).toEqual(['BillingStarted', 'SubscriptionRenewed']);
      const event = (type: string, metadata: object) => ({ type, metadata }) as never;
      expect(handles(event('BillingStarted', {}))).toBe(true);
      expect(handles(event('BillingStarted', { testClockId: randomUUID() }))).toBe(false);
      expect(handles(event('SubscriptionRenamed', {}))).toBe(false);
    });
  });
});
