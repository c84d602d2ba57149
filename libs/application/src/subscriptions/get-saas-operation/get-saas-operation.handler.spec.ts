import { isDomainError, SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { GetSaasOperationHandler } from './get-saas-operation.handler';
import { GetSaasOperation } from './get-saas-operation.query';
import { StreamStates } from '../../stream-states';

const AT = '2026-03-05T09:00:00.000Z';

describe('GetSaasOperation', () => {
  let store: EventStore;
  let handler: GetSaasOperationHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new GetSaasOperationHandler(new StreamStates(store));
  });

  /** A seat change the publisher rejected. */
  async function withRejectedChange(): Promise<{ subscriptionId: string; operationId: string }> {
    const subscriptionId = randomUUID();
    const operationId = randomUUID();
    const events: SubscriptionEvent[] = [
      purchasedEvent({ subscriptionId, customerId: randomUUID() }),
      ...activeEvents(),
      { type: 'SeatChangeRequested', data: { operationId, quantity: 15, previousQuantity: 12, requestedBy: 'Partner', requestedAt: AT } },
      { type: 'SeatChangeRejected', data: { operationId, reason: 'No.', rejectedAt: AT, quantity: 15 } },
    ];
    await given(store, subscriptionStream(subscriptionId), events);
    return { subscriptionId, operationId };
  }

  const codeOf = (read: Promise<unknown>) => read.then(() => null, (error: unknown) => (isDomainError(error) ? error.code : error));

  it('gets an operation, finished ones included, in Microsoft’s Operation shape', async () => {
    const { subscriptionId, operationId } = await withRejectedChange();
    expect(await handler.execute(new GetSaasOperation('fabrikam', subscriptionId, operationId))).toMatchObject({
      id: operationId,
      subscriptionId,
      action: 'ChangeQuantity',
      status: 'Failed',
      quantity: 15,
      operationRequestSource: 'Partner',
    });
  });

  it('refuses an operation the subscription does not have', async () => {
    const { subscriptionId } = await withRejectedChange();
    expect(await codeOf(handler.execute(new GetSaasOperation('fabrikam', subscriptionId, randomUUID())))).toBe('operation-not-found');
  });

  it("reports another publisher's subscription as not found", async () => {
    const { subscriptionId, operationId } = await withRejectedChange();
    expect(await codeOf(handler.execute(new GetSaasOperation('tailspin', subscriptionId, operationId)))).toBe('subscription-not-found');
  });
});
