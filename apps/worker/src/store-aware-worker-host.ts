import { WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { backoffDelay, isStoreUnavailable } from '@mfh/event-store';
import { DelayedError, Job } from 'bullmq';

/** Pauses of a job that keeps meeting an unavailable store: 1 s, doubling, at most 30 s. */
const OUTAGE_BACKOFF = { firstMs: 1_000, maxMs: 30_000 };

/**
 * A processor whose jobs wait out a store outage without using up their attempts: while the event
 * store or PostgreSQL cannot be reached, the job goes back to the delayed set (BullMQ's
 * `moveToDelayed` skips the attempt), so an outage of any length dead-letters nothing. Every other
 * failure takes the job's normal retry path.
 */
export abstract class StoreAwareWorkerHost extends WorkerHost {
  private readonly outageLogger = new Logger('StoreOutage');

  abstract handle(job: Job, token?: string): Promise<unknown>;

  /**
   * For the jobs of business-time timers: one that woke before `dueMs` (a delay computed against
   * another clock, or a timer moved later) goes back to sleep until then instead of acting early.
   */
  protected async sleepUntilDue(job: Job, dueMs: number, now: Date, token: string | undefined): Promise<void> {
    if (now.getTime() >= dueMs) return;
    await job.moveToDelayed(dueMs, token);
    throw new DelayedError();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    try {
      return await this.handle(job, token);
    } catch (error) {
      if (!isStoreUnavailable(error) || token === undefined) throw error;
      // Runs started but not counted as attempts are the ones an outage put off.
      const putOff = Math.max(0, (job.attemptsStarted ?? 0) - job.attemptsMade - 1);
      const pause = backoffDelay(putOff + 1, OUTAGE_BACKOFF);
      try {
        await job.moveToDelayed(Date.now() + pause, token);
      } catch {
        // Redis is away too: let BullMQ retry it the ordinary way.
        throw error;
      }
      this.outageLogger.warn(`${job.queueName}/${job.id}: the store is unavailable (${(error as Error).message}); trying again in ${pause} ms`);
      throw new DelayedError();
    }
  }
}
