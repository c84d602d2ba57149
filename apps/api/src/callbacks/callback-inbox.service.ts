import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { CallbackJob, callbackJobId, JOBS, QUEUES } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import type { JobsOptions, Queue, RedisClient } from 'bullmq';
import { createHash } from 'node:crypto';
import { QueueUnavailableError, withinQueueTimeout } from './api-queues.module';

const DAY_SECONDS = 24 * 3600;
/** How long a callback's id is held to its body: as long as its completed job turns a redelivery away. */
const KEEP_SECONDS = 7 * DAY_SECONDS;

/**
 * Transient failures retry with backoff (1 s, doubling, about 8.5 minutes in all); what can never
 * apply fails at once and stays in the failed set, the dead letters, until an admin replays it.
 * Completed jobs are kept for a week: while a job is kept, its id turns away a redelivery.
 */
export const CALLBACK_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: KEEP_SECONDS },
  removeOnFail: false,
};

/** `queued` also when Redis already held the job (a redelivery); `reused` when the id came with another body. */
export type EnqueueOutcome = 'queued' | 'reused' | 'unavailable';

/**
 * SET key hash NX GET EX ttl, which BullMQ's client interface cannot express, in a form any Redis
 * runs: the hash already kept under the key (nil the first time), and the first one stays.
 */
const REMEMBER_BODY = {
  name: 'mfhRememberCallbackBody',
  lua: `local kept = redis.call('GET', KEYS[1])
if kept then return kept end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false`,
};
const scriptsDefined = new WeakSet<RedisClient>();

/** Where verified callbacks wait for the worker. */
@Injectable()
export class CallbackInbox {
  private readonly logger = new Logger(CallbackInbox.name);
  /** Beside the queues' key space (`<prefix>:<queue>:…`), so no BullMQ key can collide; removed with `<prefix>:*`. */
  private readonly bodiesKey: string;

  constructor(
    @InjectQueue(QUEUES.callbacks) private readonly queue: Queue<CallbackJob>,
    config: AppConfig,
  ) {
    this.bodiesKey = `${config.QUEUE_PREFIX}:callback-bodies`;
  }

  /**
   * Resolves once Redis holds the job (or already held it: same publisher, webhook-id and body).
   * The first body a webhook-id came with is kept for as long as its job is: BullMQ's add ignores
   * a known job id without saying so, and a publisher reusing an id for another callback must hear.
   */
  async enqueue(job: CallbackJob, rawBody: string): Promise<EnqueueOutcome> {
    const jobId = callbackJobId(job.publisherId, job.webhookId);
    const hash = createHash('sha256').update(rawBody).digest('base64url');
    try {
      const kept = await withinQueueTimeout(() => this.rememberBody(jobId, hash));
      // A kept equal hash is a redelivery, or a retry after an add that failed: add (again) as the first time.
      if (kept !== null && kept !== hash) return 'reused';
      await withinQueueTimeout(() => this.queue.add(JOBS.applyCallback, job, { ...CALLBACK_JOB_OPTIONS, jobId }));
      return 'queued';
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      this.logger.warn(`callback ${job.webhookId} from ${job.publisherId} not queued: ${error.message}`);
      return 'unavailable';
    }
  }

  private async rememberBody(jobId: string, hash: string): Promise<string | null> {
    const client = await this.queue.getBackend().client;
    if (!scriptsDefined.has(client)) {
      client.defineCommand(REMEMBER_BODY.name, { numberOfKeys: 1, lua: REMEMBER_BODY.lua });
      scriptsDefined.add(client);
    }
    return (await client.runCommand(REMEMBER_BODY.name, [`${this.bodiesKey}:${jobId}`, hash, KEEP_SECONDS])) as string | null;
  }
}
