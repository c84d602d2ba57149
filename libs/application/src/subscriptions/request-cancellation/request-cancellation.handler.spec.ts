import { isDomainError, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { RequestCancellation } from './request-cancellation.command';
import { RequestCancellationHandler } from './request-cancellation.handler';

const NOW = '2026-03-05T09:00:00.000Z';

describe('RequestCancellation', () => {
  let store: EventStore;
  let handler: RequestCancellationHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new RequestCancellationHandler(new CommandExecutor(store));
  });

  async function subscribed(): Promise<string> {
    const subscriptionId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() }), ...activeEvents()]);
    return subscriptionId;
  }

  const cancel = (subscriptionId: string, publisherId = 'fabrikam') =>
    handler.execute(new RequestCancellation(publisherId, subscriptionId, requestMetadata(NOW, 'fabrikam-publisher')));

  const requestsOn = async (subscriptionId: string) =>
    (await store.readStream(subscriptionStream(subscriptionId))).slice(4).map(({ type, data }) => ({ type, data }));

  it('asks to cancel as an operation, and answers a repeat with the same operation', async () => {
    const id = await subscribed();
    const first = await cancel(id);
    expect(await requestsOn(id)).toEqual([
      { type: 'CancellationRequested', data: { operationId: first.waitingOperationId, requestedBy: 'Publisher', requestedAt: NOW } },
    ]);
    expect(first.subscription.operations).toEqual([expect.objectContaining({ id: first.waitingOperationId, action: 'Unsubscribe', status: 'InProgress' })]);
    const again = await cancel(id);
    expect(again).toMatchObject({ startedOperationId: null, waitingOperationId: first.waitingOperationId, revision: first.revision });
  });

  it('refuses while another operation waits', async () => {
    const id = await subscribed();
    await given(store, subscriptionStream(id), [
      { type: 'SeatChangeRequested', data: { operationId: randomUUID(), quantity: 15, previousQuantity: 12, requestedBy: 'Partner', requestedAt: NOW } },
    ]);
    await expect(cancel(id)).rejects.toMatchObject({ code: 'operation-pending', kind: 'rule' });
  });

  it("reports another publisher's subscription as not found, and appends nothing", async () => {
    const id = await subscribed();
    const refusal = await cancel(id, 'tailspin').catch((error: unknown) => error);
    expect(isDomainError(refusal) && refusal.code).toBe('subscription-not-found');
    expect(await requestsOn(id)).toEqual([]);
  });
});
