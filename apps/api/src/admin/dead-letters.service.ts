import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { QueueName } from '@mfh/messaging';
import type { Job, JobType, Queue } from 'bullmq';
import { ProblemException } from '../http/problem';
import { isQueueRefusal, QueueUnavailableError, withinQueueTimeout } from '../callbacks/api-queues.module';
import { DeadLetterDto, JobCountsDto, QUEUE_NAMES } from './admin.dto';

const COUNTED: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'];
/**
 * Job ids this system makes: uuids (event ids, ids derived with uuid v5) and BullMQ's own counter.
 * Anything else could name one of a queue's own keys (`meta`, `events`, `stalled-check`, …).
 */
const JOB_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[1-9]\d{0,15})$/;

/** Redis's answer when a key is not the hash a job is: whatever it is, it is no job. */
const isWrongType = (error: unknown): boolean => error instanceof Error && error.message.startsWith('WRONGTYPE');
const noJobOnWrongType = <T>(pending: Promise<T>): Promise<T | undefined> =>
  pending.catch((error: unknown) => {
    if (isWrongType(error)) return undefined;
    throw error;
  });

export interface DeadLetterPage {
  totalCount: number;
  items: DeadLetterDto[];
  /** Offset of the next page while more remain. */
  next: number | null;
}

const iso = (millis: number | undefined): string | null => (millis ? new Date(millis).toISOString() : null);

function deadLetter(job: Job): DeadLetterDto {
  return {
    id: job.id!,
    name: job.name,
    data: job.data as object,
    failedReason: job.failedReason,
    attemptsMade: job.attemptsMade,
    createdAt: new Date(job.timestamp).toISOString(),
    processedAt: iso(job.processedOn),
    failedAt: iso(job.finishedOn),
  };
}

/** The operations view of every queue: how many jobs are where, the failed ones, and replaying them. */
@Injectable()
export class DeadLetters {
  private readonly logger = new Logger(DeadLetters.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  async board(): Promise<{ name: string; counts: JobCountsDto }[]> {
    return Promise.all(
      QUEUE_NAMES.map(async (name) => ({
        name,
        counts: (await this.redis(() => this.queue(name).getJobCounts(...COUNTED))) as unknown as JobCountsDto,
      })),
    );
  }

  /** Newest failures first. Offsets shift as jobs are replayed; a board reader simply pages again. */
  async list(name: string, offset: number, size: number): Promise<DeadLetterPage> {
    const queue = this.queue(name);
    const [totalCount, jobs] = await this.redis(() => Promise.all([queue.getFailedCount(), queue.getFailed(offset, offset + size - 1)]));
    const items = jobs.filter((job): job is Job => Boolean(job?.id)).map(deadLetter);
    return { totalCount, items, next: offset + size < totalCount ? offset + size : null };
  }

  /** Puts a failed job back in its queue with fresh attempts. */
  async replay(name: string, jobId: string): Promise<void> {
    const queue = this.queue(name);
    const job = JOB_ID.test(jobId) ? await this.redis(() => noJobOnWrongType(queue.getJob(jobId))) : undefined;
    const state = job ? ((await this.redis(() => noJobOnWrongType(job.getState()))) ?? 'unknown') : 'unknown';
    if (!job || state === 'unknown') throw new ProblemException(404, 'job-not-found', `Queue ${name} has no job ${jobId}.`);
    if (state !== 'failed') throw this.notFailed(name, jobId, state);
    try {
      await this.redis(() => job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }));
    } catch (error) {
      // Another replay (or a removal) got there between the state check and this one.
      if (isQueueRefusal(error)) throw this.notFailed(name, jobId, await this.redis(() => job.getState()));
      throw error;
    }
    this.logger.log(`replayed ${name}/${jobId}`);
  }

  private notFailed(name: string, jobId: string, state: string): ProblemException {
    return new ProblemException(409, 'job-not-failed', `Job ${jobId} of queue ${name} is ${state}, not failed; only failed jobs can be replayed.`, {
      state,
    });
  }

  private queue(name: string): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name as QueueName), { strict: false });
  }

  private async redis<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await withinQueueTimeout(call);
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      throw new ProblemException(503, 'queue-unavailable', 'The queues (Redis) did not answer; try again shortly.');
    }
  }
}
