import { eventually } from '@mfh/testing';
import type { ApiClient } from './support/api-client';
import { inParallel, killableWorkers } from './support/crash';
import { lineItem } from './support/fixtures';
import { publisherDoes } from './support/publisher-steps';
import type { TestSystem } from './support/system';

const SUBSCRIPTIONS = 200;
const LINES_PER_ORDER = 50;
const START = '2027-01-01T00:00:00.000Z';
const A_YEAR_LATER = '2028-01-01T00:00:00.000Z';
const ENV = { SANDBOX: 'true' };

describe('A test clock advance when the worker is killed (SIGKILL) mid-way', () => {
  // The api runs in this process; workers run as real processes that can be killed.
  const crash = killableWorkers(ENV);
  let system: TestSystem;
  const startWorker = () => crash.startWorker();

  beforeAll(() => {
    system = crash.system;
  });

  /** Renewals per subscription stream, and how many in all. */
  async function renewals(): Promise<{ total: number; perStream: number[] }> {
    const { rows } = await system.db.query<{ count: string }>(
      "SELECT count(*) FROM events WHERE event_type = 'SubscriptionRenewed' GROUP BY stream_id",
    );
    const perStream = rows.map((row) => Number(row.count));
    return { total: perStream.reduce((sum, n) => sum + n, 0), perStream };
  }

  async function buyOnClock(contoso: ApiClient, testClockId: string): Promise<string[]> {
    const ids: string[] = [];
    for (let bought = 0; bought < SUBSCRIPTIONS; bought += LINES_PER_ORDER) {
      const customer = await contoso.post('/v1/customers', { body: { companyName: `Adatum ${bought}`, testClockId } });
      expect(customer.status).toBe(201);
      const order = await contoso.post(`/v1/customers/${customer.body.id}/orders`, {
        body: { lineItems: Array.from({ length: LINES_PER_ORDER }, () => lineItem()) },
      });
      expect(order.status).toBe(201);
      ids.push(...order.body.lineItems.map((line: { subscriptionId: string }) => line.subscriptionId));
    }
    return ids;
  }

  it('renews every subscription twelve times, once per term, at its term end, whatever the worker went through', async () => {
    const admin = await system.client('admin');
    const contoso = await system.client('contoso');
    const clock = await admin.post('/v1/admin/test-clocks', { body: { name: 'crash', frozenTime: START } });
    expect(clock.status).toBe(201);
    const subscriptions = await buyOnClock(contoso, clock.body.id);
    await inParallel(subscriptions, 8, (id) =>
      publisherDoes(
        system,
        id,
        { type: 'RecordLicensesAssigned', data: { assignedSeats: 5 } },
        { type: 'ConfirmFulfillment', data: { planId: 'standard', quantity: 5, pricedPerSeat: true } },
        { type: 'StartBilling', data: { now: START } },
      ),
    );

    const first = await startWorker();
    await system.caughtUp(60_000);
    expect((await admin.post(`/v1/admin/test-clocks/${clock.body.id}/advance`, { body: { frozenTime: A_YEAR_LATER } })).status).toBe(202);
    const midway = await eventually(() => renewals(), ({ total }) => total > 0, 60_000);
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(midway.total).toBeLessThan(SUBSCRIPTIONS * 12);
    expect((await admin.get(`/v1/admin/test-clocks/${clock.body.id}`)).body.status).toBe('advancing');

    // The advance's job is stalled until its lock runs out; the next worker takes it up where the log says it got to.
    await startWorker();
    const ready = await eventually(
      async () => (await admin.get(`/v1/admin/test-clocks/${clock.body.id}`)).body,
      (body) => body.status === 'ready',
      120_000,
    );
    expect(ready).toMatchObject({ status: 'ready', frozenTime: A_YEAR_LATER, advancingTo: null });
    const after = await renewals();
    expect(after.total).toBe(SUBSCRIPTIONS * 12);
    expect(after.perStream.filter((count) => count !== 12)).toEqual([]);

    // Each renewal dated at its term's end, and the terms one after another.
    const { rows } = await system.db.query<{ stream_id: string; occurred_at: string; term_start: string }>(
      `SELECT stream_id, metadata->>'occurredAt' AS occurred_at, data->>'termStart' AS term_start
         FROM events WHERE event_type = 'SubscriptionRenewed' ORDER BY stream_id, stream_revision`,
    );
    for (const row of rows) expect(row.occurred_at).toBe(`${row.term_start}T00:00:00.000Z`);
    const starts = [...new Set(rows.map((row) => row.term_start))].sort();
    expect(starts).toEqual(['2027-02-01', '2027-03-01', '2027-04-01', '2027-05-01', '2027-06-01', '2027-07-01', '2027-08-01', '2027-09-01', '2027-10-01', '2027-11-01', '2027-12-01', '2028-01-01']);
  }, 240_000);
});
