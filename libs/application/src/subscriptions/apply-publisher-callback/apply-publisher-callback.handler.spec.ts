import { isDomainError, subscriptionStream } from '@mfh/domain';
import { derivedId, EventMetadata, EventStore } from '@mfh/event-store';
import { given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { ApplyPublisherCallback, PublisherCallbackBody } from './apply-publisher-callback.command';
import { ApplyPublisherCallbackHandler } from './apply-publisher-callback.handler';

const NOW = '2026-03-02T09:30:00.000Z';
const metadata: EventMetadata = {
  actor: 'fabrikam-publisher',
  role: 'publisher',
  source: 'Publisher',
  correlationId: 'corr-1',
  causationId: 'msg_1',
  requestId: 'msg_1',
  occurredAt: NOW,
};

describe('ApplyPublisherCallback', () => {
  let store: EventStore;
  let handler: ApplyPublisherCallbackHandler;
  let subscriptionId: string;

  beforeEach(async () => {
    store = inMemoryStore();
    handler = new ApplyPublisherCallbackHandler(new CommandExecutor(store));
    subscriptionId = randomUUID();
    // One subscription of Fabrikam's offer, one seat.
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID(), quantity: 1 })]);
  });

  const apply = (callback: PublisherCallbackBody, options: { webhookId?: string; publisherId?: string; signedAt?: string } = {}) =>
    handler.execute(new ApplyPublisherCallback(options.publisherId ?? 'fabrikam', options.webhookId ?? 'msg_1', callback, options.signedAt ?? NOW, metadata));

  const licenses = (seats = 1, id = subscriptionId): PublisherCallbackBody => ({ type: 'LicensesAssigned', subscriptionId: id, data: { assignedSeats: seats } });
  const action = (): PublisherCallbackBody => ({
    type: 'ActionRequired',
    subscriptionId,
    data: { reason: 'Finish setup', url: 'https://fabrikam.example/setup', blockedOperations: ['cancel'] },
  });
  const resolved = (): PublisherCallbackBody => ({ type: 'ActionResolved', subscriptionId, data: {} });
  const stored = () => store.readStream(subscriptionStream(subscriptionId));

  it('applies a callback as its command, under ids derived from the publisher and the webhook-id, signed as given', async () => {
    expect(await apply(licenses(), { webhookId: 'msg_7' })).toBe('applied');
    const [, activated] = await stored();
    expect(activated).toMatchObject({ id: derivedId('callback', 'fabrikam', 'msg_7', 0), type: 'PublisherActivated', data: { assignedSeats: 1 } });
    expect(activated.metadata).toEqual(metadata);
  });

  it('passes the signing time to the action callbacks', async () => {
    expect(await apply(action(), { signedAt: '2026-03-02T09:29:00.000Z' })).toBe('applied');
    expect((await stored()).at(-1)).toMatchObject({
      type: 'PublisherActionRequired',
      data: { reason: 'Finish setup', blockedOperations: ['cancel'], signedAt: '2026-03-02T09:29:00.000Z' },
    });
  });

  it('run again, finds nothing to do', async () => {
    await apply(licenses());
    expect(await apply(licenses())).toBe('no-change');
    expect((await stored()).map((e) => e.type)).toEqual(['SubscriptionPurchased', 'PublisherActivated']);
  });

  it('run again after later callbacks, appends nothing: its events are already stored', async () => {
    await apply(action(), { webhookId: 'msg_1' });
    await apply(resolved(), { webhookId: 'msg_2' });
    expect(await apply(action(), { webhookId: 'msg_1' })).toBe('already-applied');
    expect((await stored()).map((e) => e.type)).toEqual(['SubscriptionPurchased', 'PublisherActionRequired', 'PublisherActionResolved']);
  });

  it.each([
    ['an unknown subscription', () => apply(licenses(1, randomUUID())), 'unknown-subscription', 'not-found'],
    ["another publisher's subscription", () => apply(licenses(), { publisherId: 'tailspin' }), 'not-publishers-subscription', 'not-found'],
    ['more seats than bought', () => apply(licenses(2)), 'invalid-assigned-seats', 'validation'],
  ])('refuses %s, and appends nothing', async (_name, run, code, kind) => {
    const refusal = await run().catch((error: unknown) => error);
    expect(isDomainError(refusal) && { code: refusal.code, kind: refusal.kind }).toEqual({ code, kind });
    expect((await stored()).map((e) => e.type)).toEqual(['SubscriptionPurchased']);
  });
});
