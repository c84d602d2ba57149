import { derivedId } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { SubscriptionCommand } from '@mfh/domain';
import { purchase, Purchase } from './support/fixtures';
import { eventually } from '@mfh/testing';
import { spawnApp } from './support/processes';
import { publisherDoes } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

const licenses: SubscriptionCommand = { type: 'RecordLicensesAssigned', data: { assignedSeats: 5 } };
const fulfilment: SubscriptionCommand = { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 5, pricedPerSeat: true } };

describe('Billing starts once both conditions hold (SPEC §8)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startSystem();
  });

  afterAll(() => system.close());

  async function billingEvents(subscriptionId: string) {
    const { rows } = await system.db.query<{ id: string; data: Record<string, unknown>; metadata: Record<string, unknown> }>(
      "SELECT event_id AS id, data, metadata FROM events WHERE stream_id = $1 AND event_type = 'BillingStarted'",
      [`subscription-${subscriptionId}`],
    );
    return rows;
  }

  /** Waits for the billing job the given trigger caused, and returns what it found. */
  async function billingJobFor(subscriptionId: string, triggerType: string): Promise<string> {
    const { rows } = await system.db.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE stream_id = $1 AND event_type = $2',
      [`subscription-${subscriptionId}`, triggerType],
    );
    const job = await system.finishedJob(QUEUES.billing, rows[0].event_id);
    return job.returnvalue;
  }

  async function bought(): Promise<Purchase> {
    return purchase(await system.client('contoso'), { quantity: 5, termDuration: 'P1Y', billingCycle: 'annual' });
  }

  it.each([
    ['licenses, then fulfilment', [licenses, fulfilment], ['waiting-for-the-other-condition', 'started']],
    ['fulfilment, then licenses', [fulfilment, licenses], ['waiting-for-the-other-condition', 'started']],
  ] as const)('starts after %s, exactly once', async (_order, [first, second], outcomes) => {
    const sub = await bought();
    await publisherDoes(system, sub.subscriptionId, first);
    expect(await billingJobFor(sub.subscriptionId, first.type === 'RecordLicensesAssigned' ? 'PublisherActivated' : 'FulfillmentConfirmed')).toBe(outcomes[0]);
    expect(await billingEvents(sub.subscriptionId)).toHaveLength(0);

    await publisherDoes(system, sub.subscriptionId, second);
    expect(await billingJobFor(sub.subscriptionId, second.type === 'RecordLicensesAssigned' ? 'PublisherActivated' : 'FulfillmentConfirmed')).toBe(outcomes[1]);
    const [started] = await billingEvents(sub.subscriptionId);
    expect(started.id).toBe(derivedId(sub.subscriptionId, 'billing-started', 0));
    expect(started.data).toMatchObject({ quantity: 5, unitPrice: '120.00', currency: 'USD', billingCycle: 'annual', chargedAmount: '600.00' });
    expect(started.metadata).toMatchObject({ actor: 'billing', role: 'system', source: 'System' });

    const view = (await (await system.client('contoso')).get(sub.path)).body;
    expect(view).toMatchObject({
      status: 'active',
      licensesAssigned: true,
      fulfillmentConfirmed: true,
      billingStartDate: started.data.termStart,
      commitmentEndDate: started.data.termEnd,
      activationLink: null,
    });
  });

  it('starts once when both conditions arrive at the same moment, with two workers racing', async () => {
    const second = spawnApp('worker', {
      DATABASE_URL: system.config.DATABASE_URL,
      DATABASE_SCHEMA: system.config.DATABASE_SCHEMA,
      QUEUE_PREFIX: system.config.QUEUE_PREFIX,
      LOG_LEVEL: 'info',
    });
    try {
      await second.waitForLog((line) => line.msg === 'started');
      const subs = await Promise.all(Array.from({ length: 10 }, () => bought()));
      await Promise.all(
        subs.flatMap((sub) => [publisherDoes(system, sub.subscriptionId, licenses), publisherDoes(system, sub.subscriptionId, fulfilment)]),
      );
      for (const sub of subs) {
        const outcomes = [await billingJobFor(sub.subscriptionId, 'PublisherActivated'), await billingJobFor(sub.subscriptionId, 'FulfillmentConfirmed')];
        expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
        expect(await billingEvents(sub.subscriptionId)).toHaveLength(1);
      }
    } finally {
      second.kill('SIGTERM');
      await second.exited;
    }
  });

  it('starts once however often every trigger is delivered', async () => {
    const sub = await bought();
    await publisherDoes(system, sub.subscriptionId, licenses, licenses, fulfilment, fulfilment);
    await billingJobFor(sub.subscriptionId, 'FulfillmentConfirmed');
    // The same triggers again, as a replayed log or a redelivered job would bring them.
    const queue = system.queue(QUEUES.billing);
    const again = await Promise.all(
      ['again-1', 'again-2', 'again-3'].map((id) =>
        queue.add('start-billing', { subscriptionId: sub.subscriptionId, causationId: id, correlationId: id }, { jobId: id }),
      ),
    );
    for (const job of again) expect((await system.finishedJob(QUEUES.billing, job.id!)).returnvalue).toBe('already-started');
    await system.db.query("UPDATE projection_checkpoints SET position = '' WHERE name = 'reactor-billing'");
    await system.caughtUp();
    expect(await billingEvents(sub.subscriptionId)).toHaveLength(1);
  });

  it('starts once when the worker is down between the two conditions and comes back', async () => {
    const sub = await bought();
    await publisherDoes(system, sub.subscriptionId, licenses);
    await billingJobFor(sub.subscriptionId, 'PublisherActivated');
    await system.stopWorker();
    try {
      await publisherDoes(system, sub.subscriptionId, fulfilment);
      expect(await billingEvents(sub.subscriptionId)).toHaveLength(0);
    } finally {
      await system.startWorker();
    }
    expect(await billingJobFor(sub.subscriptionId, 'FulfillmentConfirmed')).toBe('started');
    expect(await billingEvents(sub.subscriptionId)).toHaveLength(1);
  });

  it('never bills a subscription cancelled before the second condition', async () => {
    const contoso = await system.client('contoso');
    const sub = await bought();
    await publisherDoes(system, sub.subscriptionId, licenses);
    await contoso.patch(sub.path, { body: { status: 'deleted' } });
    const fulfilled = await publisherDoes(system, sub.subscriptionId, fulfilment).catch((error: Error) => error);
    expect(fulfilled).toBeInstanceOf(Error);
    const job = await system.queue(QUEUES.billing).add('start-billing', { subscriptionId: sub.subscriptionId, causationId: 'late', correlationId: 'late' });
    expect((await system.finishedJob(QUEUES.billing, job.id!)).returnvalue).toBe('not-billable');
    expect(await billingEvents(sub.subscriptionId)).toHaveLength(0);
    const view = await eventually(() => contoso.get(sub.path), (r) => r.status === 200);
    expect(view.body.status).toBe('deleted');
  });
});
