import { QUEUES } from '@mfh/messaging';
import type { ApiClient } from './support/api-client';
import { createCustomer, lineItem } from './support/fixtures';
import { RunningProcess, spawnApp } from './support/processes';
import { startSystem, TestSystem } from './support/system';
import { deliver, licensesAssigned, signCallback, SignedCallback } from './support/webhooks';

const SUBSCRIPTIONS = 1_000;
/** The partner API's most line items per order. */
const LINES_PER_ORDER = 50;
const PARALLEL_REQUESTS = 32;
/** Kill the first worker once this many callbacks are applied: some, but far from all. */
const KILL_AFTER_APPLIED = 100;

/** Runs `task` over `items`, at most `limit` at a time. */
async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Subscriptions bought as orders of many line items, a few orders at a time. */
async function buySubscriptions(client: ApiClient, count: number): Promise<string[]> {
  const orders = Array.from({ length: Math.ceil(count / LINES_PER_ORDER) }, (_, i) => Math.min(LINES_PER_ORDER, count - i * LINES_PER_ORDER));
  const ids: string[] = [];
  await inParallel(orders, 4, async (lines) => {
    const customerId = await createCustomer(client);
    const response = await client.post(`/v1/customers/${customerId}/orders`, {
      body: { lineItems: Array.from({ length: lines }, () => lineItem({ quantity: 5 })) },
    });
    if (response.status !== 201) throw new Error(`order: ${response.status} ${response.text}`);
    ids.push(...response.body.lineItems.map((line: { subscriptionId: string }) => line.subscriptionId));
  });
  return ids;
}

describe('Publisher callbacks when the worker is killed mid-way (SIGKILL)', () => {
  let system: TestSystem;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    // The api runs in this process; workers run as real processes that can be killed.
    system = await startSystem({ worker: false });
  });

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) {
        worker.kill('SIGTERM');
        await worker.exited;
      }
    }
    await system.close();
  });

  async function startWorker(): Promise<RunningProcess> {
    const worker = spawnApp('worker', {
      DATABASE_URL: system.config.DATABASE_URL,
      DATABASE_SCHEMA: system.config.DATABASE_SCHEMA,
      REDIS_URL: system.config.REDIS_URL,
      QUEUE_PREFIX: system.config.QUEUE_PREFIX,
      LOG_LEVEL: 'info',
    });
    workers.push(worker);
    await worker.waitForLog((line) => line.msg === 'started');
    return worker;
  }

  async function activations(): Promise<{ stream_id: string; count: number }[]> {
    const { rows } = await system.db.query<{ stream_id: string; count: string }>(
      "SELECT stream_id, count(*) FROM events WHERE event_type = 'PublisherActivated' GROUP BY stream_id",
    );
    return rows.map((row) => ({ stream_id: row.stream_id, count: Number(row.count) }));
  }

  async function appliedCount(): Promise<number> {
    const { rows } = await system.db.query<{ count: string }>("SELECT count(*) FROM events WHERE event_type = 'PublisherActivated'");
    return Number(rows[0].count);
  }

  async function deliverAll(callbacks: readonly SignedCallback[]): Promise<void> {
    await inParallel(callbacks, PARALLEL_REQUESTS, async (callback) => {
      const response = await deliver(system.baseUrl, callback);
      if (response.status !== 202) throw new Error(`callback ${callback.id}: ${response.status} ${response.text}`);
    });
  }

  /** Three redeliveries of one callback at once. */
  const atOnce = (callbacks: readonly SignedCallback[]) => callbacks.flatMap((callback) => [callback, callback, callback]);

  it('applies each of 1,000 callbacks, delivered three times each, exactly once', async () => {
    const subscriptions = await buySubscriptions(await system.client('contoso'), SUBSCRIPTIONS);
    expect(new Set(subscriptions).size).toBe(SUBSCRIPTIONS);
    const callbacks = subscriptions.map((id) => signCallback(licensesAssigned(id, 5)));
    // Three delivery patterns: all three at once; one by one, spread over the crash; one, then two at once after it.
    const together = callbacks.filter((_, i) => i % 3 === 0);
    const spread = callbacks.filter((_, i) => i % 3 === 1);
    const later = callbacks.filter((_, i) => i % 3 === 2);
    const queue = system.queue(QUEUES.callbacks);

    await deliverAll([...atOnce(together), ...spread, ...later]);
    expect(await queue.getWaitingCount()).toBe(SUBSCRIPTIONS);

    const first = await startWorker();
    const redelivering = deliverAll(spread);
    const deadline = Date.now() + 30_000;
    while ((await appliedCount()) < KILL_AFTER_APPLIED) {
      if (Date.now() > deadline) throw new Error(`the first worker applied fewer than ${KILL_AFTER_APPLIED} callbacks in 30 s`);
    }
    first.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await redelivering;
    const appliedAtKill = await appliedCount();
    const { active: activeAtKill } = await queue.getJobCounts('active');
    expect(appliedAtKill).toBeGreaterThanOrEqual(KILL_AFTER_APPLIED);
    expect(appliedAtKill).toBeLessThan(SUBSCRIPTIONS);
    // The killed worker held jobs it never finished; only stalled-job recovery brings them back.
    expect(activeAtKill).toBeGreaterThan(0);

    // Redeliveries while no worker runs, then the last ones while the new worker recovers.
    await deliverAll(atOnce(later));
    await startWorker();
    await deliverAll(spread);

    const drained = await drain(system);
    expect(drained).toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0, completed: SUBSCRIPTIONS, failed: 0 });
    const perStream = await activations();
    expect(perStream).toHaveLength(SUBSCRIPTIONS);
    expect(perStream.filter((row) => row.count !== 1)).toEqual([]);
    expect(new Set(perStream.map((row) => row.stream_id))).toEqual(new Set(subscriptions.map((id) => `subscription-${id}`)));
    // A job the crash interrupted after its append finds, on its second run, nothing left to do.
    const outcomes = (await queue.getCompleted(0, -1)).map((job) => job.returnvalue as string);
    expect(outcomes).toHaveLength(SUBSCRIPTIONS);
    expect(outcomes.filter((outcome) => outcome !== 'applied' && outcome !== 'no-change')).toEqual([]);
    expect(outcomes.filter((outcome) => outcome === 'applied').length).toBeGreaterThanOrEqual(SUBSCRIPTIONS - activeAtKill);
  }, 120_000);
});

/** Waits until no callback job waits, runs or is delayed, and returns the counts then. */
async function drain(system: TestSystem, timeoutMs = 90_000): Promise<Record<string, number>> {
  const queue = system.queue(QUEUES.callbacks);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    if ((counts.waiting === 0 && counts.active === 0 && counts.delayed === 0 && counts.prioritized === 0) || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
