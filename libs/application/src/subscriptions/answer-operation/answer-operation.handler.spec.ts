import { subscriptionStream } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata, refusal } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { AnswerOperation } from './answer-operation.command';
import { AnswerOperationHandler } from './answer-operation.handler';

const NOW = '2026-03-05T09:00:00.000Z';

describe('AnswerOperation', () => {
  let store: EventStore;
  let handler: AnswerOperationHandler;

  beforeEach(() => {
    store = inMemoryStore();
    handler = new AnswerOperationHandler(new CommandExecutor(store));
  });

  /** A subscribed subscription whose publisher-requested cancellation waits. */
  async function waiting(): Promise<{ subscriptionId: string; operationId: string }> {
    const subscriptionId = randomUUID();
    const operationId = randomUUID();
    await given(store, subscriptionStream(subscriptionId), [
      purchasedEvent({ subscriptionId, customerId: randomUUID() }),
      ...activeEvents(),
      { type: 'CancellationRequested', data: { operationId, requestedBy: 'Publisher', requestedAt: NOW } },
    ]);
    return { subscriptionId, operationId };
  }

  const answer = (
    { subscriptionId, operationId }: { subscriptionId: string; operationId: string },
    reply: AnswerOperation['answer'],
    publisherId = 'fabrikam',
  ) => handler.execute(new AnswerOperation(publisherId, subscriptionId, operationId, reply, requestMetadata(NOW, 'fabrikam-publisher')));

  const answersOn = async (subscriptionId: string) =>
    (await store.readStream(subscriptionStream(subscriptionId))).slice(5).map(({ type, data }) => ({ type, data }));

  it('accepts with Success', async () => {
    const operation = await waiting();
    const result = await answer(operation, { status: 'Success' });
    expect((await answersOn(operation.subscriptionId)).map((event) => event.type)).toEqual(['Cancelled']);
    expect(result.subscription).toMatchObject({ status: 'deleted' });
  });

  it('rejects with Failure, saying the publisher answered so', async () => {
    const operation = await waiting();
    await answer(operation, { status: 'Failure' });
    expect(await answersOn(operation.subscriptionId)).toEqual([
      { type: 'CancellationRejected', data: { operationId: operation.operationId, reason: 'The publisher answered Failure.', rejectedAt: NOW } },
    ]);
  });

  it('refuses a plan or quantity that is not the operation’s, and takes those that are', async () => {
    const operation = await waiting();
    expect(await refusal(answer(operation, { status: 'Success', quantity: 13 }))).toMatchObject({ code: 'operation-mismatch', kind: 'validation' });
    expect(await refusal(answer(operation, { status: 'Success', planId: 'enterprise' }))).toMatchObject({ code: 'operation-mismatch', kind: 'validation' });
    expect(await answersOn(operation.subscriptionId)).toEqual([]);
    await answer(operation, { status: 'Success', planId: 'standard', quantity: 12 });
    expect(await answersOn(operation.subscriptionId)).toHaveLength(1);
  });

  it('refuses an unknown operation, and one already answered', async () => {
    const operation = await waiting();
    expect(await refusal(answer({ ...operation, operationId: randomUUID() }, { status: 'Success' }))).toMatchObject({ code: 'operation-not-found', kind: 'not-found' });
    await answer(operation, { status: 'Failure' });
    expect(await refusal(answer(operation, { status: 'Success' }))).toMatchObject({ code: 'operation-not-in-progress', kind: 'conflict' });
  });

  it("reports another publisher's subscription as not found, and appends nothing", async () => {
    const operation = await waiting();
    expect(await refusal(answer(operation, { status: 'Success' }, 'tailspin'))).toMatchObject({ code: 'subscription-not-found', kind: 'not-found' });
    expect(await answersOn(operation.subscriptionId)).toEqual([]);
  });
});
