import { QUEUES } from '@mfh/messaging';
import { buySubscriptions, drain, inParallel, killableWorkers } from './support/crash';
import type { TestSystem } from './support/system';
import { deliver, licensesAssigned, signCallback, SignedCallback } from './support/webhooks';

const SUBSCRIPTIONS = 1_000;
const PARALLEL_REQUESTS = 32;
/** Kill the first worker once this many callbacks are applied: some, but far from all. */
const KILL_AFTER_APPLIED = 100;

describe('Publisher callbacks when the worker is killed mid-way (SIGKILL)', () => {
  // The api runs in this process; workers run as real processes that can be killed.
  const crash = killableWorkers();
  let system: TestSystem;
  const startWorker = () => crash.startWorker();

  beforeAll(() => {
    system = crash.system;
  });

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

    const drained = await drain(system, QUEUES.callbacks);
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
