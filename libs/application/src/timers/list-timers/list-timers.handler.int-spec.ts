import { loadConfig } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { TimersRepository } from '@mfh/read-models';
import { activeEvents, given, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { ListTimersHandler } from './list-timers.handler';
import { ListTimers } from './list-timers.query';

describe('ListTimers', () => {
  let fixture: ReadModelsFixture;
  let handler: ListTimersHandler;
  const subscriptionId = randomUUID();
  const operationId = randomUUID();

  beforeAll(async () => {
    fixture = await readModelsFixture();
    handler = new ListTimersHandler(new TimersRepository(fixture.pool), loadConfig({ OPERATION_AUTO_ACCEPT_MS: '10000' }));
    await given(fixture.store, subscriptionStream(subscriptionId), [
      purchasedEvent({ subscriptionId }),
      ...activeEvents(),
      {
        type: 'SeatChangeRequested',
        data: { operationId, quantity: 20, previousQuantity: 12, requestedBy: 'Partner', requestedAt: '2026-03-05T09:00:00.000Z' },
      },
    ]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it("lists the subscription's timers oldest first, an auto-accept due the configured window after its request", async () => {
    expect(await handler.execute(new ListTimers(subscriptionId.toUpperCase()))).toEqual({
      subscriptionId: subscriptionId.toUpperCase(),
      testClockId: null,
      totalCount: 2,
      items: [
        expect.objectContaining({ kind: 'renewal', state: 'pending', dueAt: '2026-04-02T00:00:00.000Z', termEnd: '2026-04-01', operationId: null }),
        expect.objectContaining({ kind: 'operation-auto-accept', state: 'pending', dueAt: '2026-03-05T09:00:10.000Z', operationId, termEnd: null }),
      ],
    });
  });

  it('lists none for a subscription without timers, or none at all', async () => {
    expect(await handler.execute(new ListTimers(randomUUID()))).toMatchObject({ totalCount: 0, items: [] });
  });
});
