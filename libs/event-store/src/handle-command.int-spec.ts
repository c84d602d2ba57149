import { purchasesOf, subscriptionStream, SubscriptionState, PurchaseSubscription } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { createTestSchema, placedOrder, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { EventMetadata } from './event-metadata';
import { EventStore } from './event-store.port';
import { ConcurrencyRetriesExhaustedError, handleCommand, loadState } from './handle-command';
import { WrongExpectedVersionError } from './event-store.errors';
import { InMemoryEventStore } from './in-memory/in-memory-event-store';
import { PostgresEventStore } from './postgres/postgres-event-store';

const metadata = (requestId: string): EventMetadata => ({
  actor: 'contoso-partner',
  role: 'partner',
  source: 'Partner',
  correlationId: randomUUID(),
  causationId: requestId,
  requestId,
  occurredAt: '2026-01-01T00:00:00.000Z',
});

const purchase = (subscriptionId: string): PurchaseSubscription =>
  purchasesOf(placedOrder({ lines: 1, subscriptionId: () => subscriptionId, placedAt: '2026-01-01T00:00:00.000Z' }))[0];

const changeSeats = (quantity: number) => (state: SubscriptionState) =>
  subscriptionDecider.decide(
    {
      type: 'ChangeSeats',
      data: { quantity, limits: { minQuantity: 1, maxQuantity: 500 }, operationId: randomUUID(), requestedBy: 'Partner', now: '2026-01-01T01:00:00.000Z' },
    },
    state,
  );

function suite(name: string, open: () => Promise<{ store: EventStore; dispose: () => Promise<void> }>) {
  describe(`handleCommand on ${name}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => ({ store, dispose } = await open()));
    afterAll(() => dispose());

    async function bought(): Promise<string> {
      const id = randomUUID();
      await handleCommand(store, subscriptionStream(id), subscriptionDecider, (s) => subscriptionDecider.decide(purchase(id), s), {
        metadata: metadata('purchase'),
      });
      return id;
    }

    it('reports nothing appended when another writer stored the very same events first (a reaction run twice at once)', async () => {
      const id = await bought();
      const eventId = randomUUID();
      const known = await loadState(store, subscriptionStream(id), subscriptionDecider);
      // Both decided on the same state; the second one's append finds its event already there.
      const rename = () =>
        handleCommand(store, subscriptionStream(id), subscriptionDecider, (s) => subscriptionDecider.decide({ type: 'RenameSubscription', data: { friendlyName: 'Once' } }, s), {
          metadata: metadata('rename'),
          eventId: () => eventId,
          known,
        });
      const first = await rename();
      const second = await rename();
      expect([first.appended.length, second.appended.length]).toEqual([1, 0]);
      expect(second.revision).toBe(first.revision);
      expect((await store.readStream(subscriptionStream(id))).map((e) => e.type)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed']);
    });

    it('loses no update among 50 concurrent seat changes: each success is one event, each failure none', async () => {
      const id = await bought();
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(i + 2), {
            metadata: metadata(`seats-${i}`),
            maxAttempts: 60,
          }),
        ),
      );
      const succeeded = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed.every((r) => r.reason instanceof ConcurrencyRetriesExhaustedError)).toBe(true);
      expect(succeeded.length).toBeGreaterThan(0);

      const events = await store.readStream(subscriptionStream(id));
      const seatEvents = events.filter((e) => e.type === 'SeatsChanged');
      expect(seatEvents).toHaveLength(succeeded.length);
      // Each success was decided on the state its predecessor left: the chain of quantities is unbroken.
      let previous = 1;
      for (const event of seatEvents) {
        expect(event.data.previousQuantity).toBe(previous);
        previous = event.data.quantity as number;
      }
      const { state } = await loadState(store, subscriptionStream(id), subscriptionDecider);
      expect(state.status !== 'none' && state.quantity).toBe(previous);
      const requestIds = seatEvents.map((e) => e.metadata.requestId);
      expect(new Set(requestIds).size).toBe(seatEvents.length);
    });

    it('with a single attempt, a lost race is reported to the caller, never silently dropped', async () => {
      const id = await bought();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(i + 2), { metadata: metadata(`x-${i}`), maxAttempts: 1 }),
        ),
      );
      const failed = results.filter((r) => r.status === 'rejected').length;
      const events = await store.readStream(subscriptionStream(id));
      expect(events.filter((e) => e.type === 'SeatsChanged')).toHaveLength(20 - failed);
    });

    it('reports a stale expected revision without retrying and appends nothing', async () => {
      const id = await bought();
      await handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(3), { metadata: metadata('a') });
      const error = await handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(4), {
        metadata: metadata('b'),
        expectedRevision: 0,
      }).catch((e) => e);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(await store.readStream(subscriptionStream(id))).toHaveLength(2);
    });

    it('appends nothing when the outcome already holds, and returns the current revision', async () => {
      const id = await bought();
      const result = await handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(1), { metadata: metadata('same') });
      expect(result.appended).toEqual([]);
      expect(result.revision).toBe(0);
    });

    it('stores the given metadata on every appended event', async () => {
      const id = await bought();
      const given = metadata('meta-1');
      await handleCommand(store, subscriptionStream(id), subscriptionDecider, changeSeats(9), { metadata: given });
      const [, changed] = await store.readStream(subscriptionStream(id));
      expect(changed.metadata).toEqual(given);
    });
  });
}

describe('handleCommand with a known state', () => {
  const rename = (friendlyName: string) => (state: SubscriptionState) =>
    subscriptionDecider.decide({ type: 'RenameSubscription', data: { friendlyName } }, state);

  async function setUp() {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const stream = subscriptionStream(id);
    await handleCommand(store, stream, subscriptionDecider, (s) => subscriptionDecider.decide(purchase(id), s), { metadata: metadata('p') });
    const stale = await loadState(store, stream, subscriptionDecider);
    // Another process renames it meanwhile.
    await handleCommand(store, stream, subscriptionDecider, rename('Renamed elsewhere'), { metadata: metadata('other') });
    const reads = jest.spyOn(store, 'readStream');
    return { store, stream, stale, reads };
  }

  it('does not read the stream when the known state is current', async () => {
    const { store, stream, reads } = await setUp();
    const current = await loadState(store, stream, subscriptionDecider);
    reads.mockClear();
    const result = await handleCommand(store, stream, subscriptionDecider, rename('Fresh'), { metadata: metadata('a'), known: current });
    expect(reads).not.toHaveBeenCalled();
    expect(result.revision).toBe(2);
  });

  it('re-reads after a conflict when the known state is stale, and applies the command on the fresh state', async () => {
    const { store, stream, stale } = await setUp();
    const result = await handleCommand(store, stream, subscriptionDecider, rename('Third'), { metadata: metadata('b'), known: stale });
    expect(result.revision).toBe(2);
    const events = await store.readStream(stream);
    expect(events[2].data).toMatchObject({ friendlyName: 'Third', previousFriendlyName: 'Renamed elsewhere' });
  });

  it('does not take a no-op from a stale state for granted', async () => {
    const { store, stream, stale } = await setUp();
    // By the stale state the name is already "Line 1"; in truth it changed, so renaming back must append.
    const result = await handleCommand(store, stream, subscriptionDecider, rename('Line 1'), { metadata: metadata('c'), known: stale });
    expect(result.appended).toHaveLength(1);
    expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['SubscriptionPurchased', 'SubscriptionRenamed', 'SubscriptionRenamed']);
  });

  it('does not report a stale If-Match from a stale state', async () => {
    const { store, stream, stale } = await setUp();
    const result = await handleCommand(store, stream, subscriptionDecider, rename('With ETag'), {
      metadata: metadata('d'),
      known: stale,
      expectedRevision: 1,
    });
    expect(result.revision).toBe(2);
  });

  it('does not report a refusal that only the stale state supports', async () => {
    const { store, stream, stale } = await setUp();
    const knownDeleted = { revision: stale.revision, state: { ...(stale.state as object), status: 'deleted' } as SubscriptionState };
    const result = await handleCommand(store, stream, subscriptionDecider, rename('Alive'), { metadata: metadata('e'), known: knownDeleted });
    expect(result.appended).toHaveLength(1);
  });
});

suite('in-memory', async () => ({ store: new InMemoryEventStore(), dispose: async () => undefined }));

suite('postgres', async () => {
  const schema: TestSchema = await createTestSchema('cmd');
  const store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 8 });
  return {
    store,
    dispose: async () => {
      await store.close();
      await schema.drop();
    },
  };
});
