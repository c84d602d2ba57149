import { customerStream, type CustomerCommand, type SubscriptionCommand, subscriptionStream, testClockStream } from '@mfh/domain';
import { customerDecider, subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, refusal, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../command-executor';
import { BusinessTime } from './business-time';

/** The wall time the requests come with; the clock stands years away from it. */
const WALL = '2026-03-10T09:00:00.000Z';
const CLOCK_TIME = '2027-01-01T00:00:00.000Z';
const TARGET = '2027-06-01T00:00:00.000Z';

describe('business time', () => {
  let store: EventStore;
  let executor: CommandExecutor;
  let clockId: string;
  let subscriptionId: string;
  /** The business time each command was built at. */
  let decidedAt: string[];

  beforeEach(async () => {
    decidedAt = [];
    store = inMemoryStore();
    executor = new CommandExecutor(store);
    clockId = randomUUID();
    subscriptionId = randomUUID();
    await given(store, testClockStream(clockId), [
      { type: 'TestClockCreated', data: { testClockId: clockId, name: 'Year', frozenTime: CLOCK_TIME, createdAt: WALL } },
    ]);
  });

  const subscription = (testClockId?: string) =>
    given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, ...(testClockId ? { testClockId } : {}) }), ...activeEvents()]);
  const clockMoves = (...events: { type: string; data: object }[]) => given(store, testClockStream(clockId), events);

  const rename = (friendlyName: string, at?: string, metadata = requestMetadata(WALL)) =>
    executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => {
        decidedAt.push(now);
        return { type: 'RenameSubscription', data: { friendlyName } };
      },
      metadata,
      at,
    });
  const lastEvent = async () => (await store.readStream(subscriptionStream(subscriptionId))).at(-1)!;

  describe('on the wall clock', () => {
    it('decides at the request’s time and keeps its metadata as it is: its occurredAt, and no testClockId', async () => {
      await subscription();
      const metadata = requestMetadata(WALL);
      await rename('Renamed', undefined, metadata);
      expect(decidedAt).toEqual([WALL]);
      expect((await lastEvent()).metadata).toEqual(metadata);
    });

    it('decides at an explicit time when the caller knows it, still naming no clock', async () => {
      await subscription();
      const metadata = requestMetadata(WALL);
      await rename('Renamed', '2026-04-02T00:00:00.000Z', metadata);
      expect(decidedAt).toEqual(['2026-04-02T00:00:00.000Z']);
      expect((await lastEvent()).metadata).toEqual({ ...metadata, occurredAt: '2026-04-02T00:00:00.000Z' });
    });
  });

  describe('on a test clock', () => {
    it('decides a bound subscription’s command at the clock’s time, and names the clock on its events', async () => {
      await subscription(clockId);
      await rename('Renamed');
      expect(decidedAt).toEqual([CLOCK_TIME]);
      expect((await lastEvent()).metadata).toMatchObject({ occurredAt: CLOCK_TIME, testClockId: clockId, actor: 'contoso-partner' });
    });

    it('follows the clock as an advance moves it: where it started, each time reached, its target', async () => {
      await subscription(clockId);
      await clockMoves({ type: 'TestClockAdvanceStarted', data: { from: CLOCK_TIME, to: TARGET, requestedAt: WALL } });
      await rename('One');
      await clockMoves({ type: 'TestClockTimeReached', data: { frozenTime: '2027-02-02T00:00:00.000Z' } });
      await rename('Two');
      await clockMoves({ type: 'TestClockAdvanced', data: { frozenTime: TARGET, completedAt: WALL } });
      await rename('Three');
      expect(decidedAt).toEqual([CLOCK_TIME, '2027-02-02T00:00:00.000Z', TARGET]);
      const stored = (await store.readStream(subscriptionStream(subscriptionId))).slice(-3);
      expect(stored.map((event) => [event.metadata.occurredAt, event.metadata.testClockId])).toEqual([
        [CLOCK_TIME, clockId],
        ['2027-02-02T00:00:00.000Z', clockId],
        [TARGET, clockId],
      ]);
    });

    it('decides at an explicit time (a timer’s due time) over the clock’s', async () => {
      await subscription(clockId);
      await rename('Renamed', '2027-02-02T00:00:00.000Z');
      expect(decidedAt).toEqual(['2027-02-02T00:00:00.000Z']);
      expect((await lastEvent()).metadata).toMatchObject({ occurredAt: '2027-02-02T00:00:00.000Z', testClockId: clockId });
    });

    it('dates a customer created on a clock, which its state cannot name yet, by that clock', async () => {
      const customerId = randomUUID();
      const { state } = await executor.execute({
        stream: customerStream(customerId),
        decider: customerDecider,
        commands: (_state, now): CustomerCommand => ({
          type: 'CreateCustomer',
          data: { customerId, partnerId: 'contoso', companyName: 'Adatum', domain: null, testClockId: clockId, now },
        }),
        testClockId: clockId,
        metadata: requestMetadata(WALL),
      });
      expect(state).toMatchObject({ createdAt: CLOCK_TIME, testClockId: clockId });
      const [event] = await store.readStream(customerStream(customerId));
      expect(event.metadata).toMatchObject({ occurredAt: CLOCK_TIME, testClockId: clockId });
    });

    it('refuses a clock that does not exist (400), and appends nothing', async () => {
      const unknown = randomUUID();
      await subscription(unknown);
      expect(await refusal(rename('Renamed'))).toMatchObject({ code: 'unknown-test-clock', kind: 'validation' });
      expect(decidedAt).toEqual([]);
      expect(await store.readStream(subscriptionStream(subscriptionId))).toHaveLength(4);
    });
  });

  describe('BusinessTime', () => {
    it('reads where a clock stands from its last event', async () => {
      const time = new BusinessTime(store);
      expect(await time.ofTestClock(clockId)).toBe(CLOCK_TIME);
      await clockMoves({ type: 'TestClockAdvanceStarted', data: { from: CLOCK_TIME, to: TARGET, requestedAt: WALL } });
      expect(await time.ofTestClock(clockId)).toBe(CLOCK_TIME);
      await clockMoves({ type: 'TestClockTimeReached', data: { frozenTime: '2027-02-02T00:00:00.000Z' } });
      expect(await time.ofTestClock(clockId)).toBe('2027-02-02T00:00:00.000Z');
    });

    it('stamps wall metadata unchanged, or at the explicit time', async () => {
      const time = new BusinessTime(store);
      const metadata = requestMetadata(WALL);
      expect(await time.stamp(metadata, null)).toBe(metadata);
      expect(await time.stamp(metadata, null, TARGET)).toEqual({ ...metadata, occurredAt: TARGET });
    });

    it('refuses an unknown clock with a validation error on testClockId', async () => {
      await expect(new BusinessTime(store).ofTestClock(randomUUID())).rejects.toMatchObject({ code: 'unknown-test-clock', kind: 'validation', field: 'testClockId' });
    });
  });
});
