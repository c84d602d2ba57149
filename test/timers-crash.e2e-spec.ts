import { derivedId } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { eventually } from '@mfh/testing';
import { buySubscriptions, drain, inParallel, killableWorkers } from './support/crash';
import type { RunningProcess } from './support/processes';
import { billingStarted } from './support/publisher-steps';
import type { TestSystem } from './support/system';

const SUBSCRIPTIONS = 300;
/** Long enough for every request to be made and its timer set before the first one is due. */
const WINDOW_MS = 10_000;
const ENV = { OPERATION_AUTO_ACCEPT_MS: String(WINDOW_MS) };

describe('Timers when the worker is killed (SIGKILL): before they are due and while they fire', () => {
  // The api runs in this process; workers run as real processes that can be killed.
  const crash = killableWorkers(ENV);
  let system: TestSystem;
  const startWorker = () => crash.startWorker();

  beforeAll(() => {
    system = crash.system;
  });

  async function kill(worker: RunningProcess): Promise<void> {
    worker.kill('SIGKILL');
    expect(await worker.exited).toEqual({ code: null, signal: 'SIGKILL' });
  }

  /** Seat changes accepted by their timer, per subscription stream. */
  async function acceptedByTimer(): Promise<Map<string, number>> {
    const { rows } = await system.db.query<{ stream_id: string; count: string }>(
      "SELECT stream_id, count(*) FROM events WHERE event_type = 'SeatsChanged' AND metadata->>'actor' = 'operation-timeout' GROUP BY stream_id",
    );
    return new Map(rows.map((row) => [row.stream_id, Number(row.count)]));
  }

  it('accepts every operation left unanswered exactly once, at its due time, whatever the worker went through', async () => {
    const contoso = await system.client('contoso');
    const subscriptions = await buySubscriptions(contoso, SUBSCRIPTIONS);
    await inParallel(subscriptions, 8, (id) => billingStarted(system, id, 5));
    const customerOf = new Map<string, string>();
    const { rows } = await system.db.query<{ stream_id: string; customer_id: string }>(
      "SELECT stream_id, data->>'customerId' AS customer_id FROM events WHERE event_type = 'SubscriptionPurchased'",
    );
    for (const row of rows) customerOf.set(row.stream_id.replace('subscription-', ''), row.customer_id);
    // The first worker has caught up with the purchases before the requests, so that it sets every timer well before any is due.
    const first = await startWorker();
    await system.caughtUp(60_000);
    const operations = new Map<string, string>();
    await inParallel(subscriptions, 16, async (id) => {
      const response = await contoso.patch(`/v1/customers/${customerOf.get(id)}/subscriptions/${id}`, { body: { quantity: 6 } });
      if (response.status !== 202) throw new Error(`seat change: ${response.status} ${response.text}`);
      operations.set(id, new URL(response.headers.get('operation-location')!).pathname.split('/').pop()!);
    });

    // The first worker sets every timer (a delayed job per operation), then dies before any is due.
    const queue = system.queue(QUEUES.operations);
    const delayed = await eventually(() => queue.getDelayedCount(), (count) => count === SUBSCRIPTIONS, 30_000);
    expect(delayed).toBe(SUBSCRIPTIONS);
    await kill(first);
    expect((await acceptedByTimer()).size).toBe(0);

    // The second dies while they fire: some accepted, not all.
    const second = await startWorker();
    const firing = await eventually(() => acceptedByTimer(), (accepted) => accepted.size > 0, 30_000);
    await kill(second);
    expect(firing.size).toBeGreaterThan(0);
    expect(firing.size).toBeLessThan(SUBSCRIPTIONS);

    await startWorker();
    const drained = await drain(system, QUEUES.operations);
    expect(drained).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    const accepted = await acceptedByTimer();
    expect(accepted.size).toBe(SUBSCRIPTIONS);
    expect([...accepted.values()].filter((count) => count !== 1)).toEqual([]);

    // Each acceptance is the timer's own event (the id its operation derives), dated no earlier than it was due.
    const { rows: accepts } = await system.db.query<{ stream_id: string; event_id: string; occurred_at: string; requested_at: string }>(
      `SELECT a.stream_id, a.event_id, a.metadata->>'occurredAt' AS occurred_at, r.data->>'requestedAt' AS requested_at
         FROM events a JOIN events r ON r.stream_id = a.stream_id AND r.event_type = 'SeatChangeRequested'
        WHERE a.event_type = 'SeatsChanged' AND a.metadata->>'actor' = 'operation-timeout'`,
    );
    for (const row of accepts) {
      const id = row.stream_id.replace('subscription-', '');
      expect(row.event_id).toBe(derivedId(operations.get(id)!, 'auto-accepted', 0));
      expect(Date.parse(row.occurred_at)).toBeGreaterThanOrEqual(Date.parse(row.requested_at) + WINDOW_MS);
    }

    // And the admin sees every one of them fired.
    const admin = await system.client('admin');
    const sample = subscriptions.filter((_, i) => i % 30 === 0);
    for (const id of sample) {
      const timers = await eventually(
        async () => (await admin.get(`/v1/admin/timers?subscriptionId=${id}`)).body,
        (body) => body.items?.some((t: { kind: string; state: string }) => t.kind === 'operation-auto-accept' && t.state === 'fired'),
        30_000,
      );
      expect(timers.items.find((t: { kind: string }) => t.kind === 'operation-auto-accept')).toMatchObject({ state: 'fired', operationId: operations.get(id) });
    }
  }, 180_000);
});
