import { getQueueToken } from '@nestjs/bullmq';
import { derivedId, EventStore } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import type { Queue } from 'bullmq';
import { orderStream } from '@mfh/domain';
import { randomUUID } from 'node:crypto';
import { eventually, placedOrder } from '@mfh/testing';
import { createCustomer } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';

describe('An order the API placed but did not complete (it crashed in between)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem({ env: { ORDER_COMPLETION_DELAY_MS: '100' } });
  });

  afterAll(() => system.close());

  it('is completed by the worker: every subscription bought once, the order marked completed', async () => {
    const contoso = await system.client('contoso');
    const customerId = await createCustomer(contoso);
    const orderId = randomUUID();
    const order = placedOrder({
      orderId,
      customerId,
      requestFingerprint: 'crashed',
      placedAt: new Date().toISOString(),
      subscriptionId: (line) => derivedId(orderId, line, 'subscription'),
    });
    // Only the first step of placing an order (its OrderPlaced, with the id the API gives it), as if the API died right after it.
    const metadata = {
      actor: 'contoso-partner',
      role: 'partner',
      source: 'Partner',
      correlationId: 'crash-correlation',
      causationId: 'crash-request',
      requestId: 'crash-request',
      occurredAt: order.placedAt,
    };
    await system.api
      .get(EventStore)
      .appendToStream(orderStream(orderId), [{ id: derivedId(orderId, 'placed', 0), type: 'OrderPlaced', data: { ...order }, metadata }], {
        expectedRevision: 'no_stream',
      });
    expect((await contoso.get(`/v1/customers/${customerId}/orders/${orderId}`)).body.status).toBe('pending');

    const job = await eventually(
      () => system.worker!.get<Queue>(getQueueToken(QUEUES.orders)).getJob(derivedId(orderId, 'placed', 0)),
      (j) => j !== undefined && j.finishedOn !== undefined,
    );
    expect(job?.returnvalue).toBe('completed-by-worker');
    const completed = await eventually(
      () => contoso.get(`/v1/customers/${customerId}/orders/${orderId}`),
      (r) => r.body.status === 'completed',
    );
    expect(completed.body.status).toBe('completed');
    for (const item of order.lineItems) {
      const sub = await contoso.get(`/v1/customers/${customerId}/subscriptions/${item.subscriptionId}`);
      expect(sub.body).toMatchObject({ status: 'pending', friendlyName: item.friendlyName, creationDate: order.placedAt });
    }
    const { rows } = await system.db.query<{ event_type: string; metadata: { source: string; correlationId: string } }>(
      "SELECT event_type, metadata FROM events WHERE stream_id LIKE 'subscription-%' AND data->>'orderId' = $1",
      [orderId],
    );
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.metadata.source === 'System' && r.metadata.correlationId === 'crash-correlation')).toBe(true);
  });

  it('leaves an order the API completed alone', async () => {
    const contoso = await system.client('contoso');
    const customerId = await createCustomer(contoso);
    const placed = await contoso.post(`/v1/customers/${customerId}/orders`, {
      body: { lineItems: [{ offerId: 'fabrikam-crm', planId: 'standard', quantity: 1, termDuration: 'P1M', billingCycle: 'monthly' }] },
    });
    expect(placed.body.status).toBe('completed');
    const before = await system.eventCount();
    const queue = system.worker!.get<Queue>(getQueueToken(QUEUES.orders));
    const jobId = derivedId(placed.body.id, 'placed', 0);
    const job = await eventually(() => queue.getJob(jobId), (j) => j !== undefined && j.finishedOn !== undefined);
    expect(job?.returnvalue).toBe('nothing-to-do');
    expect(await system.eventCount()).toBe(before);
  });
});
