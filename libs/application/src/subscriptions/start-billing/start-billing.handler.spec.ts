import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { StartBilling } from './start-billing.command';
import { StartBillingHandler } from './start-billing.handler';

const NOW = '2026-03-02T12:00:00.000Z';
const licenses: SubscriptionEvent = { type: 'PublisherActivated', data: { assignedSeats: 12 } };
const fulfilment: SubscriptionEvent = { type: 'FulfillmentConfirmed', data: { planId: 'standard', quantity: 12 } };

describe('StartBilling', () => {
  let store: EventStore;
  let handler: StartBillingHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new StartBillingHandler(new CommandExecutor(store));
  });

  async function subscription(...events: SubscriptionEvent[]): Promise<string> {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() }), ...events]);
    return subscriptionId;
  }

  const start = (subscriptionId: string) => handler.execute(new StartBilling(subscriptionId, requestMetadata(NOW, 'billing')));
  const stored = (subscriptionId: string) => store.readStream(subscriptionStream(subscriptionId));

  it('starts billing once both conditions hold, on the day asked, under the one id billing can ever have', async () => {
    const id = await subscription(licenses, fulfilment);
    expect(await start(id)).toBe('started');
    const billed = (await stored(id)).at(-1)!;
    expect(billed).toMatchObject({
      id: derivedId(id, 'billing-started', 0),
      type: 'BillingStarted',
      data: { termStart: '2026-03-02', termEnd: '2026-04-01', quantity: 12, chargedAmount: '144.00' },
      metadata: { actor: 'billing', occurredAt: NOW },
    });
  });

  it.each([
    ['the licenses only', [licenses]],
    ['the fulfilment only', [fulfilment]],
  ])('with %s, waits for the other condition and appends nothing', async (_name, events) => {
    const id = await subscription(...events);
    expect(await start(id)).toBe('waiting-for-the-other-condition');
    expect(await stored(id)).toHaveLength(1 + events.length);
  });

  it('asked again, finds billing started', async () => {
    const id = await subscription(licenses, fulfilment);
    await start(id);
    expect(await start(id)).toBe('already-started');
    expect(await stored(id)).toHaveLength(4);
  });

  it('finds an active subscription already billed', async () => {
    const id = await subscription(...activeEvents());
    expect(await start(id)).toBe('already-started');
  });

  it('never bills a cancelled subscription', async () => {
    const id = await subscription(licenses, {
      type: 'Cancelled',
      data: { cancelledAt: NOW, requestedBy: 'Partner', refund: null, operationId: randomUUID(), abandonedOperationId: null },
    });
    expect(await start(id)).toBe('not-billable');
    expect(await stored(id)).toHaveLength(3);
  });
});
