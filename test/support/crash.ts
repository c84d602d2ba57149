import type { QueueName } from '@mfh/messaging';
import type { ApiClient } from './api-client';
import { createCustomer, lineItem } from './fixtures';
import { RunningProcess, spawnApp } from './processes';
import { startSystem, TestSystem } from './system';

/** The partner API's most line items per order. */
const LINES_PER_ORDER = 50;

/** Runs `task` over `items`, at most `limit` at a time. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Subscriptions of `quantity` seats bought as orders of many line items, a few orders at a time. */
export async function buySubscriptions(client: ApiClient, count: number, quantity = 5): Promise<string[]> {
  const orders = Array.from({ length: Math.ceil(count / LINES_PER_ORDER) }, (_, i) => Math.min(LINES_PER_ORDER, count - i * LINES_PER_ORDER));
  const ids: string[] = [];
  await inParallel(orders, 4, async (lines) => {
    const customerId = await createCustomer(client);
    const response = await client.post(`/v1/customers/${customerId}/orders`, {
      body: { lineItems: Array.from({ length: lines }, () => lineItem({ quantity })) },
    });
    if (response.status !== 201) throw new Error(`order: ${response.status} ${response.text}`);
    ids.push(...response.body.lineItems.map((line: { subscriptionId: string }) => line.subscriptionId));
  });
  return ids;
}

/** A worker as a real process of its own, on the test system's database and queues, that a test can kill. */
export async function startWorkerProcess(system: TestSystem, env: Record<string, string> = {}): Promise<RunningProcess> {
  const worker = spawnApp('worker', {
    DATABASE_URL: system.config.DATABASE_URL,
    DATABASE_SCHEMA: system.config.DATABASE_SCHEMA,
    REDIS_URL: system.config.REDIS_URL,
    QUEUE_PREFIX: system.config.QUEUE_PREFIX,
    LOG_LEVEL: 'info',
    ...env,
  });
  await worker.waitForLog((line) => line.msg === 'started');
  return worker;
}

/** Waits until the queue holds no job that still has to run; returns its counts then. */
export async function drain(system: TestSystem, name: QueueName, timeoutMs = 90_000): Promise<Record<string, number>> {
  const queue = system.queue(name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    if ((counts.waiting === 0 && counts.active === 0 && counts.delayed === 0 && counts.prioritized === 0) || Date.now() > deadline) return counts;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The api in this process on a fresh system without a worker, and workers as real processes that a
 * test can kill, all stopped after the describe: call it at the top of a describe block.
 */
export function killableWorkers(env: Record<string, string> = {}): { readonly system: TestSystem; startWorker(): Promise<RunningProcess> } {
  let system: TestSystem | undefined;
  const workers: RunningProcess[] = [];
  beforeAll(async () => {
    system = await startSystem({ worker: false, env });
  });
  afterAll(async () => {
    await stopWorkers(workers);
    await system?.close();
  });
  return {
    get system() {
      return system!;
    },
    async startWorker() {
      const worker = await startWorkerProcess(system!, env);
      workers.push(worker);
      return worker;
    },
  };
}

/** Stops, gracefully, every worker process that is still running. */
export async function stopWorkers(workers: readonly RunningProcess[]): Promise<void> {
  for (const worker of workers) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.kill('SIGTERM');
      await worker.exited;
    }
  }
}
