import { createPgPool } from '@mfh/event-store';
import { freePort } from '@mfh/testing';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { StoreAwareWorkerHost } from './store-aware-worker-host';

const connection = { host: '127.0.0.1', port: Number(new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').port || 6379), maxRetriesPerRequest: null };

/** Fails like a store that is down (a real refused connection) for its first `outages` runs, then succeeds. */
class FlakyStoreProcessor extends StoreAwareWorkerHost {
  runs = 0;

  constructor(
    private readonly outages: number,
    private readonly deadPort: number,
    private readonly otherwise: () => unknown = () => 'done',
  ) {
    super();
  }

  async handle(): Promise<unknown> {
    this.runs++;
    if (this.runs <= this.outages) {
      const pool = createPgPool({ url: `postgres://postgres@127.0.0.1:${this.deadPort}/postgres` });
      try {
        await pool.query('SELECT 1');
      } finally {
        await pool.end();
      }
    }
    return this.otherwise();
  }
}

describe('StoreAwareWorkerHost', () => {
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const name = 'store-aware';
  let queue: Queue;
  let events: QueueEvents;
  let worker: Worker | null = null;

  beforeAll(async () => {
    queue = new Queue(name, { connection, prefix });
    events = new QueueEvents(name, { connection, prefix });
    await events.waitUntilReady();
  });

  afterEach(async () => {
    await worker?.close();
    worker = null;
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await events.close();
  });

  const run = (processor: StoreAwareWorkerHost) => {
    worker = new Worker(name, (job: Job, token?: string) => processor.process(job, token), { connection, prefix });
  };

  it('puts a job off while the store is unavailable without using up its attempts', async () => {
    const processor = new FlakyStoreProcessor(2, await freePort());
    // One attempt only: an outage that counted as an attempt would fail the job for good.
    const job = await queue.add('job', {}, { attempts: 1 });
    run(processor);
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result).toBe('done');
    expect(processor.runs).toBe(3);
    const finished = (await queue.getJob(job.id!))!;
    expect(await finished.getState()).toBe('completed');
  }, 30_000);

  it('leaves any other failure to the job\'s own retries', async () => {
    const processor = new FlakyStoreProcessor(0, await freePort(), () => {
      throw new UnrecoverableError('not-publishers-subscription');
    });
    const job = await queue.add('job', {}, { attempts: 5 });
    run(processor);
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow('not-publishers-subscription');
    expect(processor.runs).toBe(1);
    expect(await (await queue.getJob(job.id!))!.getState()).toBe('failed');
  }, 30_000);
});
