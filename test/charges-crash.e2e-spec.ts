import { eventually } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { buySubscriptions, inParallel, killableWorkers } from './support/crash';
import { billingStarted, publisherDoes } from './support/publisher-steps';
import type { TestSystem } from './support/system';

const SUBSCRIPTIONS = 1_000;
/** Every third one is cancelled inside its window: its `new` line is given back by a `cancelImmediate` one. */
const CANCELLED = (index: number) => index % 3 === 0;
/** 5 seats at 12.00 for a month. */
const NEW_CENTS = 6_000;

describe('Charges when the worker is killed (SIGKILL) while charging', () => {
  // The api runs in this process; workers run as real processes that can be killed.
  const crash = killableWorkers();
  let system: TestSystem;
  const startWorker = () => crash.startWorker();

  beforeAll(() => {
    system = crash.system;
  });

  async function chargeCount(): Promise<number> {
    const { rows } = await system.db.query<{ count: string }>("SELECT count(*) FROM events WHERE event_type = 'ChargeRecorded'");
    return Number(rows[0].count);
  }

  /** Every ChargeRecorded, by its cause and index: how many copies and what they sum to. */
  async function chargesByLine(): Promise<{ reference_id: string; index: number; copies: number; amount: number; charge_type: string }[]> {
    const { rows } = await system.db.query<{ reference_id: string; index: string; copies: string; amount: string; charge_type: string }>(
      `SELECT data->>'referenceId' AS reference_id, data->>'index' AS index, count(*) AS copies,
              sum((data->>'amount')::bigint) AS amount, min(data->>'chargeType') AS charge_type
         FROM events WHERE event_type = 'ChargeRecorded' GROUP BY 1, 2`,
    );
    return rows.map((row) => ({ ...row, index: Number(row.index), copies: Number(row.copies), amount: Number(row.amount) }));
  }

  it('charges every cause’s lines exactly once, whatever the worker went through', async () => {
    const subscriptions = await buySubscriptions(await system.client('contoso'), SUBSCRIPTIONS);
    await inParallel(subscriptions, 8, (id) => billingStarted(system, id, 5));
    const cancelled = subscriptions.filter((_, index) => CANCELLED(index));
    await inParallel(cancelled, 8, (id) =>
      publisherDoes(system, id, { type: 'CancelSubscription', data: { requestedBy: 'Partner', operationId: randomUUID(), now: system.clock.now().toISOString() } }),
    );
    const { rows: causes } = await system.db.query<{ event_id: string; event_type: string }>(
      "SELECT event_id, event_type FROM events WHERE event_type IN ('BillingStarted', 'Cancelled')",
    );
    expect(causes).toHaveLength(SUBSCRIPTIONS + cancelled.length);

    // The first worker starts charging the whole log from the beginning and dies part-way.
    const first = await startWorker();
    const atKill = await eventually(() => chargeCount(), (count) => count > 0, 60_000);
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(causes.length);

    await startWorker();
    await eventually(() => chargeCount(), (count) => count >= causes.length, 60_000);
    await system.caughtUp(60_000);

    const lines = await chargesByLine();
    expect(lines.filter((line) => line.copies !== 1 || line.index !== 0)).toEqual([]);
    expect(new Map(lines.map((line) => [line.reference_id, line.charge_type]))).toEqual(
      new Map(causes.map((cause) => [cause.event_id, cause.event_type === 'BillingStarted' ? 'new' : 'cancelImmediate'])),
    );
    const total = lines.reduce((sum, line) => sum + line.amount, 0);
    expect(total).toBe((SUBSCRIPTIONS - cancelled.length) * NEW_CENTS);
    expect(lines.filter((line) => line.charge_type === 'cancelImmediate').every((line) => line.amount === -NEW_CENTS)).toBe(true);
  }, 180_000);
});
