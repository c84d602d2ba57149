import { subscriptionStream } from '@mfh/domain';
import { SubscriptionsRepository } from '@mfh/read-models';
import { given, purchasedEvent, readModelsFixture, ReadModelsFixture } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { VerifyLog } from '../verify-log/verify-log.query';
import { VerifyLogHandler } from '../verify-log/verify-log.handler';
import { VerifySubscription } from './verify-subscription.query';
import { VerifySubscriptionHandler } from './verify-subscription.handler';

describe('VerifySubscription and VerifyLog', () => {
  let fixture: ReadModelsFixture;
  const id = randomUUID();

  beforeAll(async () => {
    fixture = await readModelsFixture();
    await given(fixture.store, subscriptionStream(id), [purchasedEvent({ subscriptionId: id, customerId: randomUUID() }), { type: 'AutoRenewDisabled', data: {} }]);
    await given(fixture.store, 'customer-elsewhere', [{ type: 'Noted', data: {} }]);
    await fixture.project();
  });

  afterAll(() => fixture.close());

  it('finds an intact chain whose tail is where the read model last saw it', async () => {
    const handler = new VerifySubscriptionHandler(fixture.store, new SubscriptionsRepository(fixture.pool));
    expect(await handler.execute(new VerifySubscription(id))).toEqual({ valid: true, events: 2, brokenAtRevision: null, reason: null, storedEvents: 2 });
    await expect(handler.execute(new VerifySubscription(randomUUID()))).rejects.toMatchObject({ code: 'subscription-not-found' });
  });

  it('checks every stream of the log in one pass, telling each page read', async () => {
    const pages: number[] = [];
    const { verifier, events } = await new VerifyLogHandler(fixture.store, new SubscriptionsRepository(fixture.pool)).execute(
      new VerifyLog(2, (read) => pages.push(read)),
    );
    expect({ events, streams: verifier.streams, breaks: verifier.breaks, pages }).toEqual({ events: 3, streams: 2, breaks: [], pages: [2, 3] });
  });
});
