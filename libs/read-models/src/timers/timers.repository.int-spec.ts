import { subscriptionStream } from '@mfh/domain';
import { JsonObject } from '@mfh/event-store';
import { purchasedEvent, readModelsFixture, ReadModelsFixture, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { timerId } from './timers.projection';
import { TimersRepository } from './timers.repository';

const WINDOW_MS = 10_000;

const billingStarted = (termStart: string, termEnd: string) => ({
  type: 'BillingStarted',
  data: { termStart, termEnd, quantity: 5, unitPrice: '12.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '60.00' },
});
const seatRequest = (operationId: string, requestedAt: string) => ({
  type: 'SeatChangeRequested',
  data: { operationId, quantity: 9, previousQuantity: 5, requestedBy: 'Partner', requestedAt },
});

describe('TimersRepository.dueOnTestClock (PostgreSQL)', () => {
  let fixture: ReadModelsFixture;
  let timers: TimersRepository;
  const clock = randomUUID();
  const otherClock = randomUUID();
  /** On the clock: a term ending 2027-01-31 and a seat change asked for on 2027-01-10. */
  const subscription = randomUUID();
  /** On the clock: a change the publisher already answered, and a term ending in March. */
  const answered = randomUUID();
  const operation = randomUUID();
  const answeredOperation = randomUUID();

  /** Events as the command path stores them: stamped with their business time and, on a test clock, its id. */
  async function stored(subscriptionId: string, testClockId: string | null, events: readonly { type: string; data: object }[]): Promise<void> {
    const metadata = { ...requestMetadata('2027-01-01T00:00:00.000Z'), ...(testClockId === null ? {} : { testClockId }) };
    await fixture.store.appendToStream(
      subscriptionStream(subscriptionId),
      [purchasedEvent({ subscriptionId }), ...events].map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata })),
    );
  }

  beforeAll(async () => {
    fixture = await readModelsFixture();
    timers = new TimersRepository(fixture.pool);
    await stored(subscription, clock, [billingStarted('2027-01-01', '2027-01-31'), seatRequest(operation, '2027-01-10T09:00:00.000Z')]);
    await stored(answered, clock, [
      billingStarted('2027-02-01', '2027-02-28'),
      seatRequest(answeredOperation, '2027-01-05T00:00:00.000Z'),
      { type: 'SeatChangeRejected', data: { operationId: answeredOperation, quantity: 9, reason: null, rejectedAt: '2027-01-05T00:00:01.000Z' } },
    ]);
    // The same timers on another clock and on the wall clock: never this clock's to fire.
    await stored(randomUUID(), otherClock, [billingStarted('2027-01-01', '2027-01-31'), seatRequest(randomUUID(), '2027-01-10T09:00:00.000Z')]);
    await stored(randomUUID(), null, [billingStarted('2027-01-01', '2027-01-31'), seatRequest(randomUUID(), '2027-01-10T09:00:00.000Z')]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it('gives only the pending timers of the clock’s subscriptions, soonest first, an auto-accept due a window after its request', async () => {
    expect(await timers.dueOnTestClock(clock, '2027-03-01T00:00:00.000Z', WINDOW_MS)).toEqual([
      {
        subscriptionId: subscription,
        dueAt: '2027-01-10T09:00:10.000Z',
        timer: expect.objectContaining({ id: timerId('operation-auto-accept', operation), kind: 'operation-auto-accept', state: 'pending', operationId: operation }),
      },
      {
        subscriptionId: subscription,
        dueAt: '2027-02-01T00:00:00.000Z',
        timer: expect.objectContaining({ kind: 'renewal', termEnd: '2027-01-31', state: 'pending' }),
      },
      {
        subscriptionId: answered,
        dueAt: '2027-03-01T00:00:00.000Z',
        timer: expect.objectContaining({ kind: 'renewal', termEnd: '2027-02-28', state: 'pending' }),
      },
    ]);
  });

  it('includes a timer due exactly at `until`, and none due a millisecond later', async () => {
    const due = async (until: string) => (await timers.dueOnTestClock(clock, until, WINDOW_MS)).map((t) => t.dueAt);
    expect(await due('2027-02-01T00:00:00.000Z')).toEqual(['2027-01-10T09:00:10.000Z', '2027-02-01T00:00:00.000Z']);
    expect(await due('2027-01-31T23:59:59.999Z')).toEqual(['2027-01-10T09:00:10.000Z']);
    expect(await due('2027-01-10T09:00:10.000Z')).toEqual(['2027-01-10T09:00:10.000Z']);
    expect(await due('2027-01-10T09:00:09.999Z')).toEqual([]);
  });

  it('counts the auto-accept window it is given', async () => {
    const [first] = await timers.dueOnTestClock(clock, '2027-03-01T00:00:00.000Z', 3_600_000);
    expect(first).toMatchObject({ dueAt: '2027-01-10T10:00:00.000Z', timer: { operationId: operation } });
  });

  it('gives none for a clock without subscriptions', async () => {
    expect(await timers.dueOnTestClock(randomUUID(), '2029-01-01T00:00:00.000Z', WINDOW_MS)).toEqual([]);
  });
});
