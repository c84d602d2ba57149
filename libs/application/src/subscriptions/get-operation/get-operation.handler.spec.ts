import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, developmentCatalog, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { UpdateSubscription } from '../update-subscription/update-subscription.command';
import { UpdateSubscriptionHandler } from '../update-subscription/update-subscription.handler';
import { GetOperation } from './get-operation.query';
import { GetOperationHandler } from './get-operation.handler';
import { StreamStates } from '../../stream-states';

const NOW = '2026-03-02T12:00:00.000Z';

describe('GetOperation', () => {
  let store: EventStore;
  let handler: GetOperationHandler;
  let operationId: string;
  const customerId = randomUUID();
  const subscriptionId = randomUUID();

  beforeEach(async () => {
    store = inMemoryStore();
    handler = new GetOperationHandler(new StreamStates(store));
    await given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId }), ...activeEvents()]);
    const seats = new UpdateSubscriptionHandler(new CommandExecutor(store), developmentCatalog(), loadConfig({}));
    const result = await seats.execute(new UpdateSubscription('contoso', customerId, subscriptionId, { quantity: 20 }, undefined, requestMetadata(NOW)));
    operationId = result.startedOperationId!;
  });

  const get = (id: string, partnerId = 'contoso') => handler.execute(new GetOperation(partnerId, customerId, subscriptionId, id));

  it('shows the operation a seat change started, read from the stream', async () => {
    expect(await get(operationId)).toEqual({ id: operationId, action: 'ChangeQuantity', status: 'InProgress', quantity: 20, requestedAt: NOW, completedAt: null });
  });

  it('reports an operation the subscription does not have', async () => {
    await expect(get(randomUUID())).rejects.toMatchObject({ code: 'operation-not-found', kind: 'not-found' });
  });

  it("reports another partner's subscription as not found, operation id or not", async () => {
    await expect(get(operationId, 'northwind')).rejects.toMatchObject({ code: 'subscription-not-found' });
  });
});
