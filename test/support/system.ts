import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Clock } from '@mfh/application';
import { bullConnection, QueueName } from '@mfh/messaging';
import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig, loadConfig } from '@mfh/config';
import { comparePositions, createPgPool, formatPosition, GlobalPosition, parsePosition } from '@mfh/event-store';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createApiApp } from '../../apps/api/src/api.app';
import { createWorkerApp } from '../../apps/worker/src/worker.app';
import { ApiClient } from './api-client';

/** Real time plus an offset that tests move forward, e.g. past a cancellation window. */
export class TestClock extends Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface TestSystem {
  baseUrl: string;
  config: AppConfig;
  clock: TestClock;
  api: NestFastifyApplication;
  readonly worker: INestApplicationContext | null;
  /** A pool on the system's schema, for assertions. */
  db: Pool;
  client(clientId?: keyof typeof CLIENTS): Promise<ApiClient>;
  /** How many events the store holds, once the worker (when running) has caught up. */
  eventCount(): Promise<number>;
  /** Resolves once every projection and reactor has handled every event appended so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** A BullMQ queue of this system (same Redis prefix), for looking at jobs. */
  queue(name: QueueName): Queue;
  /** Resolves with the job once it has finished (completed or failed). */
  finishedJob(name: QueueName, jobId: string, timeoutMs?: number): Promise<Job>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export const CLIENTS = {
  contoso: ['contoso-partner', 'contoso-secret'],
  northwind: ['northwind-partner', 'northwind-secret'],
  fabrikam: ['fabrikam-publisher', 'fabrikam-secret'],
  auditor: ['auditor', 'auditor-secret'],
  admin: ['admin', 'admin-secret'],
} as const;

export interface SystemOptions {
  /** Start the worker (projections, reactors). Default true. */
  worker?: boolean;
  env?: Record<string, string>;
}

/** The API (listening on a free port) and the worker, on a fresh schema and queue prefix. */
export async function startSystem(options: SystemOptions = {}): Promise<TestSystem> {
  const schema: TestSchema = await createTestSchema('e2e');
  const config = loadConfig({
    DATABASE_URL: schema.url,
    DATABASE_SCHEMA: schema.schema,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_POOL_SIZE: '4',
    ...options.env,
  });
  const clock = new TestClock();
  const api = await createApiApp(config, { clock });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const address = api.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let worker = options.worker === false ? null : await createWorkerApp(config, { clock });
  const db = createPgPool({ url: schema.url, schema: schema.schema, max: 2 });
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName): Queue => {
    if (!queues.has(name)) queues.set(name, new Queue(name, { connection: bullConnection(config), prefix: config.QUEUE_PREFIX }));
    return queues.get(name)!;
  };

  const tokens = new Map<string, ApiClient>();
  return {
    baseUrl,
    config,
    clock,
    api,
    get worker() {
      return worker;
    },
    db,
    async client(name = 'contoso') {
      if (!tokens.has(name)) tokens.set(name, await ApiClient.login(baseUrl, CLIENTS[name][0], CLIENTS[name][1]));
      return tokens.get(name)!;
    },
    async eventCount() {
      // With a worker, once what it appends in reaction (charges) is in: a count before a refused request then equals the one after.
      if (worker) await caughtUp(db, 10_000);
      const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM events');
      return Number(rows[0].count);
    },
    caughtUp: (timeoutMs = 10_000) => caughtUp(db, timeoutMs),
    queue,
    async finishedJob(name, jobId, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const job = await queue(name).getJob(jobId);
        if (job?.finishedOn) return job;
        if (Date.now() > deadline) throw new Error(`job ${name}/${jobId} did not finish within ${timeoutMs} ms (${job ? await job.getState() : 'not found'})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stopWorker() {
      await worker?.close();
      worker = null;
    },
    async startWorker() {
      worker ??= await createWorkerApp(config, { clock });
    },
    async close() {
      await api.close();
      await worker?.close();
      for (const q of queues.values()) await q.close();
      await db.end();
      await schema.drop();
      await deleteQueueKeys(config.REDIS_URL, config.QUEUE_PREFIX);
    },
  };
}

/** Every BullMQ key under the system's own prefix, so test runs leave Redis as they found it. */
export async function deleteQueueKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // A system started against an unreachable Redis (to test that) has no keys to delete.
  if (!(await redis.connect().then(() => true, () => false))) return;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The log's last position, or null when it is empty. */
async function headOf(db: Pool): Promise<GlobalPosition | null> {
  const { rows } = await db.query<{ tx: string; pos: string }>(
    'SELECT transaction_id::text AS tx, global_position::text AS pos FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
  );
  return rows.length === 0 ? null : { commit: BigInt(rows[0].tx), prepare: BigInt(rows[0].pos) };
}

/** Every consumer at a head that no longer moves: the charger appends charges while it follows the log. */
async function caughtUp(db: Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let head = await headOf(db); head !== null; ) {
    const { rows: checkpoints } = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints');
    const past = (position: string) => {
      const at = parsePosition(position);
      return at !== null && comparePositions(at, head!) >= 0;
    };
    if (checkpoints.length > 0 && checkpoints.every((c) => past(c.position))) {
      const now = await headOf(db);
      if (now !== null && comparePositions(now, head) === 0) return;
      head = now;
      continue;
    }
    if (Date.now() > deadline) throw new Error(`projections did not reach ${formatPosition(head)}: ${JSON.stringify(checkpoints)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
