import { SubscriptionEvent, subscriptionStream } from '@mfh/domain';
import { derivedId, EventStore } from '@mfh/event-store';
import { activeEvents, given, inMemoryStore, purchasedEvent, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { AcceptUnansweredOperation } from './accept-unanswered-operation.command';
import { AcceptUnansweredOperationHandler } from './accept-unanswered-operation.handler';

const REQUESTED = '2026-03-05T10:00:00.000Z';
const NOW = '2026-03-05T10:30:00.000Z';

describe('AcceptUnansweredOperation', () => {
  let store: EventStore;
  let handler: AcceptUnansweredOperationHandler;
  let subscriptionId: string;
  const operationId = randomUUID();

  const seatChange: SubscriptionEvent = {
    type: 'SeatChangeRequested',
    data: { operationId, quantity: 20, previousQuantity: 12, requestedBy: 'Partner', requestedAt: REQUESTED },
  };

  beforeEach(() => {
    store = inMemoryStore();
    handler = new AcceptUnansweredOperationHandler(new CommandExecutor(store));
    subscriptionId = randomUUID();
  });

  const subscriptionWith = (...events: SubscriptionEvent[]) =>
    given(store, subscriptionStream(subscriptionId), [purchasedEvent({ subscriptionId, customerId: randomUUID() }), ...activeEvents(), ...events]);
  const accept = (id = operationId) => handler.execute(new AcceptUnansweredOperation(subscriptionId, id, requestMetadata(NOW, 'operation-timeout')));
  const stored = () => store.readStream(subscriptionStream(subscriptionId));

  it('accepts a change still waiting for the publisher, under an id derived from the operation', async () => {
    await subscriptionWith(seatChange);
    expect((await accept()).outcome).toBe('accepted');
    expect((await stored()).at(-1)).toMatchObject({
      id: derivedId(operationId, 'auto-accepted', 0),
      type: 'SeatsChanged',
      data: { quantity: 20, previousQuantity: 12, operationId, changedAt: NOW },
    });
  });

  it('run again, finds the operation finished', async () => {
    await subscriptionWith(seatChange);
    await accept();
    expect((await accept()).outcome).toBe('already-finished');
    expect(await stored()).toHaveLength(6);
  });

  it('leaves an operation the publisher answered meanwhile as it is', async () => {
    await subscriptionWith(seatChange, { type: 'SeatChangeRejected', data: { operationId, reason: 'No', rejectedAt: REQUESTED, quantity: 20 } });
    expect((await accept()).outcome).toBe('already-finished');
    expect(await stored()).toHaveLength(6);
  });

  it('finds nothing to accept for an operation it does not know', async () => {
    await subscriptionWith();
    expect((await accept(randomUUID())).outcome).toBe('already-finished');
  });
});
