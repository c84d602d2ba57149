import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { RejectOperationOnWebhookAnswer } from './reject-operation-on-webhook-answer.command';
import { RejectOperationOnWebhookAnswerHandler } from './reject-operation-on-webhook-answer.handler';

const REQUESTED = '2026-03-05T10:00:00.000Z';
const NOW = '2026-03-05T10:00:05.000Z';
const REASON = 'The publisher answered the ChangePlan notification with HTTP 400.';

describe('RejectOperationOnWebhookAnswer', () => {
  let store: EventStore;
  let handler: RejectOperationOnWebhookAnswerHandler;
  let subscriptionId: string;
  const operationId = randomUUID();

  const planChange: SubscriptionEvent = {
    type: 'PlanChangeRequested',
    data: { operationId, planId: 'enterprise', previousPlanId: 'standard', requestedBy: 'Publisher', requestedAt: REQUESTED },
  };

  beforeEach(() => {
    store = inMemoryStore();
    handler = new RejectOperationOnWebhookAnswerHandler(new CommandExecutor(store));
    subscriptionId = randomUUID();
  });

  const subscriptionWith = (...events: SubscriptionEvent[]) =>
    given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() }), ...activeEvents(), ...events]);
  const reject = () => handler.execute(new RejectOperationOnWebhookAnswer(subscriptionId, operationId, REASON, requestMetadata(NOW, 'notifications')));
  const stored = () => store.readStream(subscriptionStream(subscriptionId));

  it('rejects the waiting change with the reason, under an id derived from the operation', async () => {
    await subscriptionWith(planChange);
    expect(await reject()).toBe('rejected');
    expect((await stored()).at(-1)).toMatchObject({
      id: derivedId(operationId, 'rejected-by-webhook-answer', 0),
      type: 'PlanChangeRejected',
      data: { operationId, planId: 'enterprise', reason: REASON, rejectedAt: NOW },
      metadata: { actor: 'notifications' },
    });
  });

  it('leaves a change accepted meanwhile (by the publisher or its timeout) as it is', async () => {
    await subscriptionWith(planChange, { type: 'PlanChanged', data: { operationId, planId: 'enterprise', previousPlanId: 'standard', changedAt: REQUESTED } });
    expect(await reject()).toBe('already-finished');
    expect(await stored()).toHaveLength(6);
  });

  it('run again, appends nothing more', async () => {
    await subscriptionWith(planChange);
    await reject();
    expect(await reject()).toBe('already-finished');
    expect(await stored()).toHaveLength(6);
  });
});
