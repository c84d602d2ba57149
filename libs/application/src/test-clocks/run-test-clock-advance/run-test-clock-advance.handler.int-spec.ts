import { SystemClock } from '../../clock';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { AppConfig, loadConfig } from '@mfh/config';
import { type SubscriptionCommand, type SubscriptionEvent, subscriptionStream, testClockStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import {
  AppendOptions,
  AppendResult,
  comparePositions,
  createPgPool,
  EventStore,
  GlobalPosition,
  JsonObject,
  NewEvent,
  PostgresEventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  runMigrations,
} from '@mfh/event-store';
import { CatchUpRunner, InvoicesRepository, projectionConsumer, readModelMigrations, readModelProjections, TimersRepository } from '@mfh/read-models';
import { activeEvents, catchUpPast, createTestSchema, given, purchasedEvent, requestMetadata, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { CommandExecutor } from '../../command-executor';
import { AcceptUnansweredOperationHandler } from '../../subscriptions/accept-unanswered-operation/accept-unanswered-operation.handler';
import { RenewSubscriptionHandler } from '../../subscriptions/renew-subscription/renew-subscription.handler';
import { StartBillingCycleHandler } from '../../subscriptions/start-billing-cycle/start-billing-cycle.handler';
import { AdvanceTestClock } from '../advance-test-clock/advance-test-clock.command';
import { AdvanceTestClockHandler } from '../advance-test-clock/advance-test-clock.handler';
import { CreateTestClock } from '../create-test-clock/create-test-clock.command';
import { CreateTestClockHandler } from '../create-test-clock/create-test-clock.handler';
import { GetTestClock } from '../get-test-clock/get-test-clock.query';
import { GetTestClockHandler } from '../get-test-clock/get-test-clock.handler';
import { LogFollowers } from '../log-followers';
import { RunTestClockAdvance } from './run-test-clock-advance.command';
import { RunTestClockAdvanceHandler } from './run-test-clock-advance.handler';

/** Wall time: when the admin asks, and when the worker runs the advance. */
const WALL = '2025-06-01T12:00:00.000Z';
/** Where each clock starts: during activeEvents' first term (2026-03-02 to 2026-04-01), due on 2026-04-02. */
const FROZEN = '2026-03-05T10:00:00.000Z';
const PROJECTIONS = readModelProjections.map((projection) => projection.name);

/** The PostgreSQL log, remembering where its last append went: the head a catch-up must reach. */
class HeadTrackingStore extends EventStore {
  head: GlobalPosition | null = null;

  constructor(private readonly log: PostgresEventStore) {
    super();
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const result = await this.log.appendToStream(streamId, events, options);
    if (events.length > 0 && (this.head === null || comparePositions(result.position, this.head) > 0)) this.head = result.position;
    return result;
  }
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.log.readStream(streamId, options);
  }
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.log.readAll(options);
  }
  hasEventAt(position: GlobalPosition): Promise<boolean> {
    return this.log.hasEventAt(position);
  }
  headPosition(): Promise<GlobalPosition | null> {
    return this.log.headPosition();
  }
  ping(): Promise<void> {
    return this.log.ping();
  }
  close(): Promise<void> {
    return this.log.close();
  }
}

/**
 * The log's followers, run here rather than by a worker: every wait projects the log into the read
 * models until each of them has handled the position. `failAt` makes the n-th wait fail, as a
 * worker that stops mid-advance would.
 */
class ProjectingFollowers extends LogFollowers {
  waits = 0;

  constructor(
    private readonly runner: CatchUpRunner,
    private readonly pool: Pool,
    private readonly store: HeadTrackingStore,
    private readonly failAt = Infinity,
  ) {
    super();
  }

  async reach(position: GlobalPosition): Promise<void> {
    if (++this.waits >= this.failAt) throw new Error('The worker is stopping');
    await catchUpPast(this.runner, this.pool, PROJECTIONS, position);
  }

  catchUp(): Promise<void> {
    return catchUpPast(this.runner, this.pool, PROJECTIONS, this.store.head);
  }
}

@Module({})
class AdvanceSpecModule {}

describe('RunTestClockAdvance (PostgreSQL log and read models)', () => {
  let logSchema: TestSchema;
  let readSchema: TestSchema;
  let store: HeadTrackingStore;
  let pool: Pool;
  let runner: CatchUpRunner;
  let app: INestApplicationContext;
  let executor: CommandExecutor;
  let config: AppConfig;
  let timers: TimersRepository;

  beforeAll(async () => {
    logSchema = await createTestSchema('advlog');
    readSchema = await createTestSchema('advread');
    store = new HeadTrackingStore(await PostgresEventStore.connect({ url: logSchema.url, schema: logSchema.schema, max: 4 }));
    pool = createPgPool({ url: readSchema.url, schema: readSchema.schema, max: 3 });
    await runMigrations(pool, readSchema.schema, 'read-models', readModelMigrations);
    runner = new CatchUpRunner(store, pool, readModelProjections.map(projectionConsumer));
    executor = new CommandExecutor(store);
    config = loadConfig({ OPERATION_AUTO_ACCEPT_MS: '10000', SANDBOX: 'true' });
    timers = new TimersRepository(pool);
    // The command bus as the worker has it, with the timers' use cases on it.
    app = await NestFactory.createApplicationContext(
      {
        module: AdvanceSpecModule,
        imports: [CqrsModule.forRoot()],
        providers: [{ provide: CommandExecutor, useValue: executor }, RenewSubscriptionHandler, AcceptUnansweredOperationHandler, StartBillingCycleHandler],
      },
      { logger: false },
    );
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    await pool.end();
    await logSchema.drop();
    await readSchema.drop();
  });

  const handler = (followers = new ProjectingFollowers(runner, pool, store)) =>
    new RunTestClockAdvanceHandler(store, executor, app.get(CommandBus), timers, new InvoicesRepository(pool), followers, config, new SystemClock());
  const run = (clockId: string, followers?: ProjectingFollowers) => handler(followers).execute(new RunTestClockAdvance(clockId, requestMetadata(WALL, 'test-clock')));

  const newClock = async (): Promise<string> =>
    (await new CreateTestClockHandler(executor).execute(new CreateTestClock('Spec', FROZEN, null, requestMetadata(WALL, 'admin')))).id;
  const advance = (clockId: string, to: string) => new AdvanceTestClockHandler(executor).execute(new AdvanceTestClock(clockId, to, requestMetadata(WALL, 'admin')));
  const clockState = (clockId: string) => new GetTestClockHandler(store).execute(new GetTestClock(clockId));

  /** Events as the command path stores them for a subscription on a test clock: at the clock's time, naming the clock. */
  const onTestClock = (testClockId: string, events: readonly SubscriptionEvent[]): NewEvent[] =>
    events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata: { ...requestMetadata(FROZEN), testClockId } }));

  /** A subscription bought for a customer on `testClockId` (null: the wall clock), activated, its first term running; events as the command path stamps them. */
  async function subscription(testClockId: string | null, ...more: SubscriptionEvent[]): Promise<string> {
    const subscriptionId = randomUUID();
    const events = [purchasedEvent({ subscriptionId, ...(testClockId ? { testClockId } : {}) }), ...activeEvents(), ...more];
    if (testClockId === null) await given(store, subscriptionStream(subscriptionId), events);
    else await store.appendToStream(subscriptionStream(subscriptionId), onTestClock(testClockId, events));
    return subscriptionId;
  }

  /** The partner asks for more seats; the publisher leaves it unanswered. Decided at the subscription's business time. */
  const requestSeats = (subscriptionId: string, operationId = randomUUID()) =>
    executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({
        type: 'ChangeSeats',
        data: { quantity: 20, limits: { minQuantity: 1, maxQuantity: 500 }, operationId, requestedBy: 'Partner', now },
      }),
      metadata: requestMetadata(WALL),
    });

  const streamOf = (subscriptionId: string) => store.readStream(subscriptionStream(subscriptionId));
  /** What happened to a subscription after its first `skip` events, as [type, business time]. */
  const happenedTo = async (subscriptionId: string, skip = 4) =>
    (await streamOf(subscriptionId)).slice(skip).map((event) => [event.type, event.metadata.occurredAt]);

  it('fires every due timer of the clock in due order, each at its due time, and leaves the clock ready at the target', async () => {
    const clockId = await newClock();
    const renewing = await subscription(clockId);
    const expiring = await subscription(clockId, { type: 'AutoRenewDisabled', data: {} });
    await requestSeats(renewing);
    const onOtherClock = await subscription(await newClock());
    const onWall = await subscription(null);
    await requestSeats(onWall);
    // Nothing is projected yet: the advance's first wait applies what was decided before it.
    await advance(clockId, '2026-07-15T00:00:00.000Z');

    expect(await run(clockId)).toEqual({ fired: 6, frozenTime: '2026-07-15T00:00:00.000Z' });

    const [, started] = await store.readStream(testClockStream(clockId));
    expect((await streamOf(renewing)).slice(4)).toEqual([
      expect.objectContaining({ type: 'SeatChangeRequested', data: expect.objectContaining({ requestedAt: FROZEN }) }),
      expect.objectContaining({
        type: 'SeatsChanged',
        data: expect.objectContaining({ quantity: 20, changedAt: '2026-03-05T10:00:10.000Z' }),
        metadata: expect.objectContaining({ occurredAt: '2026-03-05T10:00:10.000Z', testClockId: clockId, actor: 'test-clock', causationId: started.id }),
      }),
      ...['2026-04-02', '2026-05-02', '2026-06-02', '2026-07-02'].map((day) =>
        expect.objectContaining({
          type: 'SubscriptionRenewed',
          data: expect.objectContaining({ termStart: day, quantity: 20, renewedAt: `${day}T00:00:00.000Z` }),
          metadata: expect.objectContaining({ occurredAt: `${day}T00:00:00.000Z`, testClockId: clockId }),
        }),
      ),
    ]);
    expect(await happenedTo(expiring, 5)).toEqual([['SubscriptionExpired', '2026-04-02T00:00:00.000Z']]);

    // The log holds them in due order, each instant's effects after the clock reached it: "<time> 0" is the clock, "<time> 1" a timer's event.
    // (The global read only hands out an event once no earlier one can still appear: read it once the read models have passed the head.)
    await catchUpPast(runner, pool, PROJECTIONS, store.head);
    const streams = [testClockStream(clockId), subscriptionStream(renewing), subscriptionStream(expiring)];
    const log = (await store.readAll({ maxCount: 10_000 })).filter((e) => streams.includes(e.streamId));
    const advanceSteps = log.slice(log.findIndex((e) => e.type === 'TestClockAdvanceStarted') + 1);
    const steps = advanceSteps.map((e) => (e.streamId === streams[0] ? `${String(e.data.frozenTime)} 0` : `${String(e.metadata.occurredAt)} 1`));
    expect(steps).toHaveLength(12);
    expect(steps).toEqual([...steps].sort());
    expect((await store.readStream(testClockStream(clockId))).map((e) => [e.type, e.data.frozenTime ?? null])).toEqual([
      ['TestClockCreated', FROZEN],
      ['TestClockAdvanceStarted', null],
      ['TestClockTimeReached', '2026-03-05T10:00:10.000Z'],
      ['TestClockTimeReached', '2026-04-02T00:00:00.000Z'],
      ['TestClockTimeReached', '2026-05-02T00:00:00.000Z'],
      ['TestClockTimeReached', '2026-06-02T00:00:00.000Z'],
      ['TestClockTimeReached', '2026-07-02T00:00:00.000Z'],
      ['TestClockAdvanced', '2026-07-15T00:00:00.000Z'],
    ]);
    expect(await clockState(clockId)).toMatchObject({ status: 'ready', frozenTime: '2026-07-15T00:00:00.000Z', advancingTo: null });

    // Another clock's timers and the wall clock's are due too, but not this clock's to fire.
    expect(await streamOf(onOtherClock)).toHaveLength(4);
    expect(await happenedTo(onWall)).toEqual([['SeatChangeRequested', WALL]]);
    expect((await timers.forSubscription(onWall)).timers.map((t) => [t.kind, t.state])).toEqual([
      ['renewal', 'pending'],
      ['operation-auto-accept', 'pending'],
    ]);
    expect((await timers.forSubscription(onOtherClock)).timers.map((t) => t.state)).toEqual(['pending']);
    expect((await timers.forSubscription(renewing)).timers.map((t) => [t.kind, t.state])).toEqual([
      ['renewal', 'fired'],
      ['operation-auto-accept', 'fired'],
      ['renewal', 'fired'],
      ['renewal', 'fired'],
      ['renewal', 'fired'],
      ['renewal', 'pending'],
    ]);
  });

  it('starts each later cycle of a year billed monthly at its first instant, and the next term’s after the renewal', async () => {
    const clockId = await newClock();
    const subscriptionId = randomUUID();
    const [licenses, fulfilment] = activeEvents();
    await store.appendToStream(
      subscriptionStream(subscriptionId),
      onTestClock(clockId, [
        purchasedEvent({ subscriptionId, testClockId: clockId, termDuration: 'P1Y', billingCycle: 'monthly', unitPrice: '120.00' }),
        licenses,
        fulfilment,
        {
          type: 'BillingStarted',
          data: { termStart: '2026-03-05', termEnd: '2027-03-04', quantity: 12, unitPrice: '120.00', currency: 'USD', billingCycle: 'monthly', chargedAmount: '120.00' },
        },
      ]),
    );
    await advance(clockId, '2027-04-05T00:00:00.000Z');

    expect(await run(clockId)).toEqual({ fired: 13, frozenTime: '2027-04-05T00:00:00.000Z' });
    const months = ['04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2026-${m}-05`).concat(['2027-01-05', '2027-02-05']);
    expect(await happenedTo(subscriptionId)).toEqual([
      ...months.map((day) => ['BillingCycleStarted', `${day}T00:00:00.000Z`]),
      ['SubscriptionRenewed', '2027-03-05T00:00:00.000Z'],
      ['BillingCycleStarted', '2027-04-05T00:00:00.000Z'],
    ]);
    const cycles = (await timers.forSubscription(subscriptionId)).timers.filter((t) => t.kind === 'billing-cycle');
    expect(cycles.map((t) => [t.cycleStart, t.state])).toEqual([...months, '2027-04-05', '2027-05-05'].map((day, i, all) => [day, i === all.length - 1 ? 'pending' : 'fired']));
  });

  it('fires an auto-accept exactly its window after the request: not a millisecond before', async () => {
    const clockId = await newClock();
    const subscriptionId = await subscription(clockId);
    await requestSeats(subscriptionId);

    await advance(clockId, '2026-03-05T10:00:09.999Z');
    expect(await run(clockId)).toEqual({ fired: 0, frozenTime: '2026-03-05T10:00:09.999Z' });
    expect(await happenedTo(subscriptionId)).toEqual([['SeatChangeRequested', FROZEN]]);

    await advance(clockId, '2026-03-05T10:00:10.000Z');
    expect(await run(clockId)).toEqual({ fired: 1, frozenTime: '2026-03-05T10:00:10.000Z' });
    expect(await happenedTo(subscriptionId)).toEqual([
      ['SeatChangeRequested', FROZEN],
      ['SeatsChanged', '2026-03-05T10:00:10.000Z'],
    ]);
  });

  it('run again once the clock is ready, fires nothing and appends nothing', async () => {
    const clockId = await newClock();
    const subscriptionId = await subscription(clockId);
    await advance(clockId, '2026-05-15T00:00:00.000Z');
    expect(await run(clockId)).toEqual({ fired: 2, frozenTime: '2026-05-15T00:00:00.000Z' });
    const head = store.head;

    expect(await run(clockId)).toEqual({ fired: 0, frozenTime: '2026-05-15T00:00:00.000Z' });
    expect(store.head).toEqual(head);
    expect(await happenedTo(subscriptionId)).toEqual([
      ['SubscriptionRenewed', '2026-04-02T00:00:00.000Z'],
      ['SubscriptionRenewed', '2026-05-02T00:00:00.000Z'],
    ]);
  });

  it('resumed after the worker stopped mid-way, fires each timer once', async () => {
    const clockId = await newClock();
    const subscriptionId = await subscription(clockId);
    await advance(clockId, '2026-06-15T00:00:00.000Z');

    // The wait after the second instant fails: two renewals are stored, the second one not yet projected.
    await expect(run(clockId, new ProjectingFollowers(runner, pool, store, 2))).rejects.toThrow('The worker is stopping');
    expect(await clockState(clockId)).toMatchObject({ status: 'advancing', frozenTime: '2026-05-02T00:00:00.000Z' });

    expect(await run(clockId)).toEqual({ fired: 1, frozenTime: '2026-06-15T00:00:00.000Z' });
    expect(await happenedTo(subscriptionId)).toEqual([
      ['SubscriptionRenewed', '2026-04-02T00:00:00.000Z'],
      ['SubscriptionRenewed', '2026-05-02T00:00:00.000Z'],
      ['SubscriptionRenewed', '2026-06-02T00:00:00.000Z'],
    ]);
  });

  it('tries a timer whose command finds nothing to do once, and still ends', async () => {
    const clockId = await newClock();
    // A term the timers read model knows of but the subscription's stream does not back (it was never purchased).
    const orphan = randomUUID();
    const [, , billingStarted] = activeEvents();
    await store.appendToStream(subscriptionStream(orphan), onTestClock(clockId, [billingStarted]));
    await advance(clockId, '2026-06-01T00:00:00.000Z');

    expect(await run(clockId)).toEqual({ fired: 0, frozenTime: '2026-06-01T00:00:00.000Z' });
    expect(await streamOf(orphan)).toHaveLength(1);
    expect((await timers.forSubscription(orphan)).timers.map((t) => t.state)).toEqual(['pending']);
    expect((await store.readStream(testClockStream(clockId))).map((e) => e.type)).toEqual([
      'TestClockCreated',
      'TestClockAdvanceStarted',
      'TestClockTimeReached',
      'TestClockAdvanced',
    ]);
  });

  it('does nothing for a clock that is not advancing, saying where it stands (or that there is none)', async () => {
    const clockId = await newClock();
    expect(await run(clockId)).toEqual({ fired: 0, frozenTime: FROZEN });
    expect(await run(randomUUID())).toEqual({ fired: 0, frozenTime: null });
  });
});
