import { addMonths } from '@mfh/domain';
import { derivedId } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { eventually } from '@mfh/testing';
import type { ApiClient } from './support/api-client';
import { lineItem, purchase } from './support/fixtures';
import { billingStarted, publisherDoes } from './support/publisher-steps';
import { startSystem, TestSystem } from './support/system';

const START = '2027-01-05T09:00:00.000Z';
/** An advance of a clock with one subscription is done in well under this. */
const ADVANCE_MS = 20_000;
const DAY = 86_400_000;

interface Charge {
  stream_id: string;
  event_id: string;
  data: { referenceId: string; index: number; chargeType: string; amount: number; chargeStartDate: string; invoiceId: string; testClockId: string | null };
}

describe('Charges (SPEC §12): the worker puts what subscription events cost on the partner’s billing periods', () => {
  let system: TestSystem;
  let admin: ApiClient;
  let contoso: ApiClient;

  beforeAll(async () => {
    system = await startSystem({ env: { SANDBOX: 'true', INVOICE_CLOSE_DELAY: '3600000' } });
    [admin, contoso] = await Promise.all([system.client('admin'), system.client('contoso')]);
  });

  afterAll(() => system?.close());

  async function chargesOf(subscriptionId: string): Promise<Charge[]> {
    const { rows } = await system.db.query<Charge>(
      "SELECT stream_id, event_id, data FROM events WHERE event_type = 'ChargeRecorded' AND data->>'subscriptionId' = $1 ORDER BY global_position",
      [subscriptionId],
    );
    return rows;
  }

  async function eventOf(subscriptionId: string, type: string): Promise<{ event_id: string; occurred_at: string; data: Record<string, string> }> {
    const { rows } = await system.db.query<{ event_id: string; occurred_at: string; data: Record<string, string> }>(
      "SELECT event_id, metadata->>'occurredAt' AS occurred_at, data FROM events WHERE stream_id = $1 AND event_type = $2",
      [`subscription-${subscriptionId}`, type],
    );
    return rows[0];
  }

  it('on the wall clock, charges a BillingStarted’s first cycle as a `new` line on the partner’s period of that month', async () => {
    const { subscriptionId } = await purchase(contoso, { quantity: 5 });
    await billingStarted(system, subscriptionId, 5);
    const started = await eventOf(subscriptionId, 'BillingStarted');
    const month = started.occurred_at.slice(0, 7);

    const [charge, ...more] = await eventually(() => chargesOf(subscriptionId), (charges) => charges.length > 0);
    expect(more).toEqual([]);
    expect(charge).toMatchObject({
      stream_id: `invoice-contoso-${month}-USD`,
      event_id: derivedId(started.event_id, 'charge', 0),
      data: { referenceId: started.event_id, index: 0, chargeType: 'new', amount: 6000, invoiceId: `contoso-${month}-USD`, testClockId: null },
    });
  });

  it('on the wall clock, starts the next cycle of a year billed monthly when it begins, with a job that charges it and sets the next', async () => {
    const { subscriptionId } = await purchase(contoso, { quantity: 10, termDuration: 'P1Y', billingCycle: 'monthly' });
    await billingStarted(system, subscriptionId, 10);
    await system.caughtUp();
    const started = await eventOf(subscriptionId, 'BillingStarted');
    const second = addMonths(started.data.termStart, 1);
    const queue = system.queue(QUEUES.billingCycles);
    const job = (await queue.getJob(started.event_id))!;
    expect({ state: await job.getState(), data: job.data }).toMatchObject({ state: 'delayed', data: { subscriptionId, cycleStart: second } });
    expect(job.opts.delay).toBeGreaterThan(27 * DAY);
    // Woken before the cycle begins, it goes back to sleep.
    await job.promote();
    const slept = await eventually(
      async () => {
        const woken = (await queue.getJob(started.event_id))!;
        return { ran: woken.processedOn !== undefined, state: await woken.getState() };
      },
      (woken) => woken.ran && woken.state === 'delayed',
    );
    expect(slept).toEqual({ ran: true, state: 'delayed' });

    system.clock.advance(32 * DAY);
    try {
      await (await queue.getJob(started.event_id))!.promote();
      expect((await system.finishedJob(QUEUES.billingCycles, started.event_id)).returnvalue).toBe('started');
    } finally {
      system.clock.advance(-32 * DAY);
    }
    const charges = await eventually(() => chargesOf(subscriptionId), (found) => found.length === 2);
    expect(charges.map(({ data }) => [data.chargeType, data.chargeStartDate, data.amount])).toEqual([
      ['new', started.data.termStart, 10_000],
      ['cycleCharge', second, 10_000],
    ]);
    await system.caughtUp();
    const next = await queue.getJob((await eventOf(subscriptionId, 'BillingCycleStarted')).event_id);
    expect({ state: await next!.getState(), cycleStart: next!.data.cycleStart }).toEqual({ state: 'delayed', cycleStart: addMonths(started.data.termStart, 2) });
  });

  it('on a test clock, charges each later month of a year billed monthly as it begins, before the advance is ready', async () => {
    const clock = await admin.post('/v1/admin/test-clocks', { body: { name: 'cycles', frozenTime: START } });
    expect(clock.status).toBe(201);
    const testClockId: string = clock.body.id;
    const customer = await contoso.post('/v1/customers', { body: { companyName: 'Adatum Corporation', testClockId } });
    const order = await contoso.post(`/v1/customers/${customer.body.id}/orders`, {
      body: { lineItems: [lineItem({ quantity: 10, termDuration: 'P1Y', billingCycle: 'monthly' })] },
    });
    expect(order.status).toBe(201);
    const subscriptionId: string = order.body.lineItems[0].subscriptionId;
    await publisherDoes(
      system,
      subscriptionId,
      { type: 'RecordLicensesAssigned', data: { assignedSeats: 10 } },
      { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 10, pricedPerSeat: true } },
      { type: 'StartBilling', data: { now: START } },
    );
    await eventually(() => chargesOf(subscriptionId), (charges) => charges.length > 0);

    expect((await admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime: '2027-04-20T00:00:00.000Z' } })).status).toBe(202);
    const ready = await eventually(() => admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body?.status === 'ready', ADVANCE_MS);
    expect(ready.body).toMatchObject({ status: 'ready', frozenTime: '2027-04-20T00:00:00.000Z' });

    // Read once, at `ready`: the advance waited for the charges and for what follows the log to apply them.
    const charges = (await chargesOf(subscriptionId)).map(({ stream_id, data }) => [stream_id, data.chargeType, data.chargeStartDate, data.amount, data.testClockId]);
    expect(charges).toEqual([
      [`invoice-contoso-${testClockId}-2027-01-USD`, 'new', '2027-01-05', 10_000, testClockId],
      [`invoice-contoso-${testClockId}-2027-02-USD`, 'cycleCharge', '2027-02-05', 10_000, testClockId],
      [`invoice-contoso-${testClockId}-2027-03-USD`, 'cycleCharge', '2027-03-05', 10_000, testClockId],
      [`invoice-contoso-${testClockId}-2027-04-USD`, 'cycleCharge', '2027-04-05', 10_000, testClockId],
    ]);
    // Each month's charge was applied before the next instant was looked for: so each period's close, due an hour into the next month, came in its turn.
    const { rows: reached } = await system.db.query<{ frozen_time: string }>(
      "SELECT data->>'frozenTime' AS frozen_time FROM events WHERE stream_id = $1 AND event_type = 'TestClockTimeReached' ORDER BY stream_revision",
      [`test-clock-${testClockId}`],
    );
    expect(reached.map((row) => row.frozen_time)).toEqual(
      ['02-01T01', '02-05T00', '03-01T01', '03-05T00', '04-01T01', '04-05T00'].map((instant) => `2027-${instant}:00:00.000Z`),
    );
    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${subscriptionId}`);
    expect(timers.body.items.filter((t: { kind: string }) => t.kind === 'billing-cycle').map((t: { cycleStart: string; state: string }) => [t.cycleStart, t.state])).toEqual([
      ['2027-02-05', 'fired'],
      ['2027-03-05', 'fired'],
      ['2027-04-05', 'fired'],
      ['2027-05-05', 'pending'],
    ]);
  }, 60_000);
});
