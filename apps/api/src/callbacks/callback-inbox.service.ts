import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { CallbackJob, callbackJobId, JOBS, QUEUES } from '@mfh/application';
import type { JobsOptions, Queue } from 'bullmq';
import { QueueUnavailableError, withinQueueTimeout } from './api-queues.module';

const DAY_SECONDS = 24 * 3600;

/**
 * Transient failures retry with backoff (1 s, doubling, about 8.5 minutes in all); what can never
 * apply fails at once and stays in the failed set, the dead letters, until an admin replays it.
 * Completed jobs are kept for a week: while a job is kept, its id turns away a redelivery.
 */
export const CALLBACK_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 7 * DAY_SECONDS },
  removeOnFail: false,
};

/** Where verified callbacks wait for the worker. */
@Injectable()
export class CallbackInbox {
  private readonly logger = new Logger(CallbackInbox.name);

  constructor(@InjectQueue(QUEUES.callbacks) private readonly queue: Queue<CallbackJob>) {}

  /** Resolves once Redis holds the job (or already held it: same publisher and webhook-id); false when it could not take it. */
  async enqueue(job: CallbackJob): Promise<boolean> {
    try {
      await withinQueueTimeout(() =>
        this.queue.add(JOBS.applyCallback, job, { ...CALLBACK_JOB_OPTIONS, jobId: callbackJobId(job.publisherId, job.webhookId) }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      this.logger.warn(`callback ${job.webhookId} from ${job.publisherId} not queued: ${error.message}`);
      return false;
    }
  }
}
