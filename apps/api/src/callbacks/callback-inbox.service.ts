import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { CallbackJob, callbackDeduplicationId, callbackJobId, JOBS, QUEUES } from '@mfh/messaging';
import type { JobsOptions, Queue } from 'bullmq';
import { QueueUnavailableError, withinQueueTimeout } from './api-queues.module';

const DAY_SECONDS = 24 * 3600;
/** How long a webhook-id is held to its first body: as long as its completed job turns a redelivery away. */
const KEEP_SECONDS = 7 * DAY_SECONDS;

/**
 * Transient failures retry with backoff (1 s, doubling, about 8.5 minutes in all); what can never
 * apply fails at once and stays in the failed set, the dead letters, until an admin replays it.
 * Completed jobs are kept for a week: while a job is kept, its id turns away a redelivery.
 */
const CALLBACK_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: KEEP_SECONDS },
  removeOnFail: false,
};

/**
 * The options one callback is queued with: its job id covers the body, and the deduplication id
 * (publisher and webhook-id) hands back the first body's job when another body comes under the same
 * webhook-id. With a ttl the deduplication id is held for the ttl, whatever becomes of the job.
 */
export function callbackJobOptions(publisherId: string, webhookId: string, rawBody: string): JobsOptions & { jobId: string } {
  return {
    ...CALLBACK_JOB_OPTIONS,
    jobId: callbackJobId(publisherId, webhookId, rawBody),
    deduplication: { id: callbackDeduplicationId(publisherId, webhookId), ttl: KEEP_SECONDS * 1000 },
  };
}

/** `queued` also when Redis already held the job (a redelivery); `reused` when the id came with another body. */
export type EnqueueOutcome = 'queued' | 'reused' | 'unavailable';

/** Where verified callbacks wait for the worker. */
@Injectable()
export class CallbackInbox {
  private readonly logger = new Logger(CallbackInbox.name);

  constructor(@InjectQueue(QUEUES.callbacks) private readonly queue: Queue<CallbackJob>) {}

  /**
   * Resolves once Redis holds the job (or already held it: same publisher, webhook-id and body).
   * BullMQ's add ignores a known job id without saying so, but a deduplicated add answers with the
   * first job's id: another body under a known webhook-id is told apart in the same round trip,
   * decided atomically inside BullMQ's script.
   */
  async enqueue(job: CallbackJob, rawBody: string): Promise<EnqueueOutcome> {
    const options = callbackJobOptions(job.publisherId, job.webhookId, rawBody);
    try {
      const added = await withinQueueTimeout(() => this.queue.add(JOBS.applyCallback, job, options));
      return added.id === options.jobId ? 'queued' : 'reused';
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      this.logger.warn(`callback ${job.webhookId} from ${job.publisherId} not queued: ${error.message}`);
      return 'unavailable';
    }
  }
}
