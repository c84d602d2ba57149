import { INestApplicationContext, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Clock, SYSTEM_SUBSCRIPTION_HANDLERS } from '@mfh/application';
import { CommandExecutor } from '@mfh/application/command-executor';
import { CallbackJob, PublisherCallback } from '@mfh/messaging';
import { subscriptionStream } from '@mfh/domain';
import { AppendOptions, AppendResult, EventStore, InMemoryEventStore, NewEvent } from '@mfh/event-store';
import { developmentCatalog, given, purchasedEvent } from '@mfh/testing';
import { Job, UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { CallbackProcessor } from './callback.processor';

const NOW = new Date('2026-03-02T09:30:00.000Z');
const catalog = developmentCatalog();
const clock: Clock = { now: () => NOW };

/** A store whose next appends fail as a dropped connection would. */
class FlakyStore extends InMemoryEventStore {
  failures = 0;

  override async appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('Connection terminated unexpectedly');
    }
    return super.appendToStream(streamId, events, options);
  }
}

@Module({})
class CallbackSpecModule {}

describe('CallbackProcessor', () => {
  let store: FlakyStore;
  let app: INestApplicationContext;
  let processor: CallbackProcessor;
  let subscriptionId: string;

  // The processor's warnings are expected here.
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    store = new FlakyStore();
    // The command bus as the worker has it, with the system's use cases on it.
    app = await NestFactory.createApplicationContext(
      {
        module: CallbackSpecModule,
        imports: [CqrsModule.forRoot()],
        providers: [{ provide: EventStore, useValue: store }, { provide: CommandExecutor, useValue: new CommandExecutor(store) }, ...SYSTEM_SUBSCRIPTION_HANDLERS],
      },
      { logger: false },
    );
    processor = new CallbackProcessor(app.get(CommandBus), clock, catalog);
    // One subscription of Fabrikam's offer, one seat.
    subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID(), quantity: 1 })]);
  });

  afterEach(() => app.close());

  const job = (callback: PublisherCallback, fields: Partial<CallbackJob> = {}): Job<CallbackJob> => {
    const data: CallbackJob = {
      publisherId: 'fabrikam',
      webhookId: `msg_${randomUUID()}`,
      signedAt: NOW.toISOString(),
      receivedAt: NOW.toISOString(),
      correlationId: 'corr-1',
      callback,
      ...fields,
    };
    return { id: randomUUID(), data } as Job<CallbackJob>;
  };

  const licenses = (seats = 1): PublisherCallback => ({ type: 'LicensesAssigned', subscriptionId, data: { assignedSeats: seats } });
  const action = (): PublisherCallback => ({
    type: 'ActionRequired',
    subscriptionId,
    data: { reason: 'Finish setup', url: 'https://fabrikam.example/setup', blockedOperations: ['cancel'] },
  });
  const resolved = (): PublisherCallback => ({ type: 'ActionResolved', subscriptionId, data: {} });
  const types = async () => (await store.readStream(subscriptionStream(subscriptionId))).map((e) => e.type);

  it('applies a callback as its command, attributed to the publisher and the callback', async () => {
    const licensed = job(licenses());

    expect(await processor.process(licensed)).toBe('applied');

    const [, activated] = await store.readStream(subscriptionStream(subscriptionId));
    expect(activated).toMatchObject({ type: 'PublisherActivated', data: { assignedSeats: 1 } });
    expect(activated.metadata).toEqual({
      actor: 'fabrikam-publisher',
      role: 'publisher',
      source: 'Publisher',
      correlationId: 'corr-1',
      causationId: licensed.data.webhookId,
      requestId: licensed.data.webhookId,
      occurredAt: NOW.toISOString(),
    });
  });

  it('run again, finds nothing to do', async () => {
    const licensed = job(licenses());
    await processor.process(licensed);
    expect(await processor.process(licensed)).toBe('no-change');
    expect(await types()).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
  });

  it('run again after later callbacks, appends nothing: its events are already stored', async () => {
    const required = job(action());
    await processor.process(required);
    await processor.process(job(resolved()));

    expect(await processor.process(required)).toBe('already-applied');
    expect(await types()).toEqual(['SubscriptionPurchased', 'PublisherActionRequired', 'PublisherActionResolved']);
  });

  it.each([
    ['an unknown subscription', () => job({ ...licenses(), subscriptionId: randomUUID() }), /^unknown-subscription: /],
    ["another publisher's subscription", () => job(licenses(), { publisherId: 'tailspin' }), /^not-publishers-subscription: /],
    ['more seats than bought', () => job(licenses(2)), /^invalid-assigned-seats: /],
  ])('fails for good on %s, with the reason', async (_name, make, reason) => {
    const error = await processor.process(make()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toMatch(reason);
    expect(await types()).toEqual(['SubscriptionPurchased']);
  });

  it('lets a transient failure through as it is, so the job is retried, and the retry applies it once', async () => {
    const licensed = job(licenses());
    store.failures = 1;

    const error = await processor.process(licensed).catch((e: unknown) => e);

    expect(error).not.toBeInstanceOf(UnrecoverableError);
    expect((error as Error).message).toBe('Connection terminated unexpectedly');
    expect(await processor.process(licensed)).toBe('applied');
    expect(await types()).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
  });
});
