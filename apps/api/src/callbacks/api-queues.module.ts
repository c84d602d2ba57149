import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Logger, Module } from '@nestjs/common';
import { bullConnection, QUEUES } from '@mfh/messaging';
import { AppConfig } from '@mfh/config';
import type { Queue, RedisOptions } from 'bullmq';

/** How long the api waits for Redis on a request before it answers 503 instead. */
export const QUEUE_TIMEOUT_MS = 2_000;

/**
 * The api only adds and reads jobs, on behalf of a waiting caller. Its commands fail at once while
 * Redis is away (no offline queue), so the caller gets a prompt 503; a Redis that does not answer
 * is bounded by {@link withinQueueTimeout}. No ioredis `commandTimeout`: one timed-out command while
 * BullMQ sets the connection up would leave that queue failing until the process restarts.
 */
export function producerConnection(config: AppConfig): RedisOptions {
  return { ...(bullConnection(config) as RedisOptions), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: QUEUE_TIMEOUT_MS };
}

const QUEUE_NAMES = Object.values(QUEUES);
/** While Redis is away every reconnect attempt fails; one line a minute per queue says so. */
const ERROR_LOG_INTERVAL_MS = 60_000;

function reportErrors(queue: Queue): Queue {
  const logger = new Logger(`Queue ${queue.name}`);
  let last = { message: '', at: 0 };
  queue.on('error', (error) => {
    const now = Date.now();
    if (error.message === last.message && now - last.at < ERROR_LOG_INTERVAL_MS) return;
    last = { message: error.message, at: now };
    logger.warn(error.message);
  });
  return queue;
}

const queues = BullModule.registerQueueAsync(
  ...QUEUE_NAMES.map((name) => ({ name, useFactory: (config: AppConfig) => ({ connection: producerConnection(config) }), inject: [AppConfig] })),
);

/**
 * Every queue, as the api uses them: on fail-fast connections, with their errors logged (a queue
 * without an error listener prints each reconnect failure to the console). The prefix and default
 * job options still come from BullModule.forRoot.
 */
@Module({
  imports: [queues],
  providers: QUEUE_NAMES.map((name) => ({
    provide: `mfh:queue-errors:${name}`,
    // Depends on the queue, so it runs as soon as the queue exists: before its first connection error.
    useFactory: reportErrors,
    inject: [getQueueToken(name)],
  })),
  exports: [queues],
})
export class ApiQueuesModule {}

export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`The queue did not answer: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'QueueUnavailableError';
  }
}

/** BullMQ's scripts answer a refusal (no such job, not in that state) with a numeric code. */
export const isQueueRefusal = (error: unknown): error is Error & { code: number } =>
  error instanceof Error && typeof (error as { code?: unknown }).code === 'number';

/**
 * `call()` within {@link QUEUE_TIMEOUT_MS}; a timeout or a connection failure becomes a
 * QueueUnavailableError. A connection that never came up makes BullMQ wait for it without limit,
 * which the connection options alone do not bound.
 */
export async function withinQueueTimeout<T>(call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const pending = call();
  // Once timed out, a late failure has nobody to report to.
  pending.catch(() => undefined);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${QUEUE_TIMEOUT_MS} ms`)), QUEUE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (error) {
    throw isQueueRefusal(error) ? error : new QueueUnavailableError(error);
  } finally {
    clearTimeout(timer);
  }
}
