import { subscriptionStream } from '@mfh/domain';
import type { EventStore, JsonObject } from '@mfh/event-store';
import { inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetSubscriptionState } from './get-subscription-state.query';
import { GetSubscriptionStateHandler } from './get-subscription-state.handler';

const MINUTE = 60_000;
const at = (minutes: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minutes * MINUTE).toISOString();

describe('GetSubscriptionState', () => {
  let store: EventStore;
  let handler: GetSubscriptionStateHandler;
  const id = randomUUID();

  beforeEach(async () => {
    store = inMemoryStore();
    handler = new GetSubscriptionStateHandler(store);
    const events = [
      purchasedEvent({ subscriptionId: id, customerId: randomUUID() }),
      { type: 'SubscriptionRenamed', data: { friendlyName: 'Second', previousFriendlyName: 'CRM' } },
      { type: 'SubscriptionRenamed', data: { friendlyName: 'Third', previousFriendlyName: 'Second' } },
    ];
    // One command a minute, each on its own clock.
    for (const [minute, event] of events.entries()) {
      await store.appendToStream(subscriptionStream(id), [
        { id: randomUUID(), type: event.type, data: event.data as JsonObject, metadata: requestMetadata(at(minute)) as unknown as JsonObject },
      ]);
    }
  });

  const state = (asOf?: string, revision?: number, subscriptionId = id) => handler.execute(new GetSubscriptionState(subscriptionId, asOf, revision));

  it('replays up to a revision, in the partner view and without an activation link', async () => {
    const result = await state(undefined, 1);
    expect(result).toMatchObject({ subscriptionId: id, revision: 1, occurredAt: at(1), asOf: null, recordedAt: expect.any(String) });
    expect(result.subscription).toMatchObject({ id, friendlyName: 'Second', status: 'pending', activationLink: null });
  });

  it('replays what had occurred by a business time, the boundary included', async () => {
    expect(await state(at(2))).toMatchObject({ revision: 2, asOf: at(2), subscription: { friendlyName: 'Third' } });
    expect(await state(new Date(Date.parse(at(2)) - 1).toISOString())).toMatchObject({ revision: 1 });
  });

  it.each([
    ['neither', undefined, undefined],
    ['both', at(1), 1],
  ])('refuses %s of asOf and revision before reading anything', async (_case, asOf, revision) => {
    await expect(state(asOf, revision, randomUUID())).rejects.toMatchObject({
      code: 'invalid-state-query',
      kind: 'validation',
      message: 'Send exactly one of asOf (an ISO 8601 date-time) and revision (a whole number).',
    });
  });

  it('refuses a revision past the last, naming the last', async () => {
    await expect(state(undefined, 3)).rejects.toMatchObject({
      code: 'revision-not-found',
      kind: 'not-found',
      message: "The subscription's last revision is 2.",
      extensions: { lastRevision: 2 },
    });
  });

  it('refuses a time before the purchase, naming when it was purchased', async () => {
    const asOf = '2026-03-01T09:59:59Z';
    await expect(state(asOf)).rejects.toMatchObject({
      code: 'not-yet-purchased',
      kind: 'not-found',
      message: `The subscription did not exist yet at ${asOf}; it was purchased at ${at(0)}.`,
      extensions: { purchasedAt: at(0) },
    });
  });

  it('reports an unknown subscription as not found', async () => {
    await expect(state(undefined, 0, randomUUID())).rejects.toMatchObject({ code: 'subscription-not-found' });
  });
});
