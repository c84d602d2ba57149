import { isDomainError, SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListSaasOperationsHandler } from './list-saas-operations.handler';
import { ListSaasOperations } from './list-saas-operations.query';
import { StreamStates } from '../../stream-states';

const AT = '2026-03-05T09:00:00.000Z';

describe('ListSaasOperations', () => {
  let store: EventStore;
  let list: ListSaasOperationsHandler;

  beforeEach(() => {
    store = inMemoryStore();
    list = new ListSaasOperationsHandler(new StreamStates(store));
  });

  /** A seat change the publisher rejected, then a cancellation that waits. */
  async function withOperations(): Promise<{ subscriptionId: string; rejected: string; waiting: string }> {
    const subscriptionId = randomUUID();
    const rejected = randomUUID();
    const waiting = randomUUID();
    const events: SubscriptionEvent[] = [
      purchasedEvent({ subscriptionId, customerId: randomUUID() }),
      ...activeEvents(),
      { type: 'SeatChangeRequested', data: { operationId: rejected, quantity: 15, previousQuantity: 12, requestedBy: 'Partner', requestedAt: AT } },
      { type: 'SeatChangeRejected', data: { operationId: rejected, reason: 'No.', rejectedAt: AT, quantity: 15 } },
      { type: 'CancellationRequested', data: { operationId: waiting, requestedBy: 'Publisher', requestedAt: AT } },
    ];
    await given(store, subscriptionStream(subscriptionId), events);
    return { subscriptionId, rejected, waiting };
  }

  it('lists only the operations that wait, in Microsoft’s Operation shape', async () => {
    const { subscriptionId, waiting } = await withOperations();
    expect(await list.execute(new ListSaasOperations('fabrikam', subscriptionId))).toEqual([
      expect.objectContaining({ id: waiting, subscriptionId, action: 'Unsubscribe', status: 'InProgress', publisherId: 'fabrikam', offerId: 'fabrikam-crm' }),
    ]);
  });

  it("reports another publisher's subscription as not found", async () => {
    const { subscriptionId } = await withOperations();
    const error = await list.execute(new ListSaasOperations('tailspin', subscriptionId)).catch((thrown: unknown) => thrown);
    expect(isDomainError(error) && error.code).toBe('subscription-not-found');
  });
});
