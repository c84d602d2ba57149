import { Processor } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Clock, RejectOperationOnWebhookAnswer } from '@mfh/application';
import { SigningKeys } from '@mfh/auth';
import type { EventMetadata } from '@mfh/event-store';
import { QUEUES, WORKER_LOCKING } from '@mfh/messaging';
import { AppConfig, Catalog } from '@mfh/config';
import { NewNotificationAttempt, NotificationsRepository } from '@mfh/read-models';
import { Job, UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AfterFailure, afterFailure, DeliveryFailed, notificationBackoff } from './notification-backoff';
import type { NotifyPublisherJob } from '@mfh/messaging';
import { PostOutcome, postJson } from './webhook-post';
import { StoreAwareWorkerHost } from '../store-aware-worker-host';

/** What the notification's JWT says about its sender and how long it lives. */
export const NOTIFICATION_TOKEN = { subject: 'marketplace', expiresInSeconds: 300 } as const;

export interface NotificationDelivered {
  attempt: number;
  httpStatus: number;
  /** The publisher answered 4xx to a change waiting for its answer: Microsoft's way to reject it. */
  rejected?: true;
}

/** Changes the publisher may refuse by answering their notification with a 4xx (Microsoft's webhook rules; a Reinstate too, SPEC §13). */
const REFUSABLE = new Set(['ChangeQuantity', 'ChangePlan', 'Reinstate']);

const isClientError = (status: number | null): status is number => status !== null && status >= 400 && status < 500;

/**
 * POSTs a notification to the publisher's current notification URL with a bearer JWT for the
 * publisher. Every attempt is recorded before the job finishes or fails; a failed one is retried
 * with exponential backoff until NOTIFICATION_RETRY_WINDOW_MS has passed since the first, then the
 * job fails for good and stays in the failed set (the dead letters).
 */
@Processor(QUEUES.notifications, { ...WORKER_LOCKING, concurrency: 8, settings: { backoffStrategy: notificationBackoff } })
export class NotificationProcessor extends StoreAwareWorkerHost {
  private readonly logger = new Logger(NotificationProcessor.name);

  constructor(
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
    private readonly keys: SigningKeys,
    private readonly attempts: NotificationsRepository,
    private readonly commands: CommandBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  async handle(job: Job<NotifyPublisherJob>): Promise<NotificationDelivered> {
    const { deliveryId, subscriptionId, publisherId, operationId } = job.data;
    const earlierRuns = await this.attemptsOfEarlierRuns(job);
    const attempt = earlierRuns + job.attemptsMade + 1;
    const url = this.catalog.publisher(publisherId)?.notificationUrl ?? null;
    // Real time, not the command clock: these times measure the retry window that BullMQ's delays run in.
    const startedAt = new Date();
    const outcome: PostOutcome = url ? await this.post(url, job.data) : { httpStatus: null, error: `publisher ${publisherId} has no notificationUrl` };
    const finishedAt = new Date();
    const record = (rest: Pick<NewNotificationAttempt, 'outcome' | 'nextAttemptAt'>) =>
      this.attempts.recordAttempt({
        deliveryId,
        attempt,
        operationId,
        subscriptionId,
        publisherId,
        url,
        startedAt,
        finishedAt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        httpStatus: outcome.httpStatus,
        error: outcome.error,
        ...rest,
      });

    if (outcome.error === null) {
      await record({ outcome: 'delivered', nextAttemptAt: null });
      return { attempt, httpStatus: outcome.httpStatus! };
    }
    const { action, status } = job.data.payload;
    if (REFUSABLE.has(action) && status === 'InProgress' && isClientError(outcome.httpStatus)) {
      await record({ outcome: 'rejected', nextAttemptAt: null });
      await this.reject(job, `The publisher answered the ${action} notification with HTTP ${outcome.httpStatus}.`);
      return { attempt, httpStatus: outcome.httpStatus, rejected: true };
    }
    const next = url ? await this.afterFailure(job, { attempt, earlierRuns, startedAt, finishedAt }) : { deadLetter: 'nowhere to deliver it' };
    if ('deadLetter' in next) {
      await record({ outcome: 'dead-lettered', nextAttemptAt: null });
      this.logger.warn(`Notification ${deliveryId} to ${publisherId} dead-lettered: ${outcome.error}; ${next.deadLetter}`);
      throw new UnrecoverableError(`${outcome.error}; ${next.deadLetter}`);
    }
    await record({ outcome: 'retrying', nextAttemptAt: new Date(finishedAt.getTime() + next.retryInMs) });
    throw new DeliveryFailed(outcome.error, next.retryInMs);
  }

  private async afterFailure(
    job: Job<NotifyPublisherJob>,
    at: { attempt: number; earlierRuns: number; startedAt: Date; finishedAt: Date },
  ): Promise<AfterFailure> {
    const first = (await this.attempts.firstAttemptStartedAt(job.data.deliveryId, at.earlierRuns)) ?? at.startedAt;
    return afterFailure({
      attempt: at.attempt - at.earlierRuns,
      baseMs: this.config.NOTIFICATION_RETRY_BASE_MS,
      windowMs: this.config.NOTIFICATION_RETRY_WINDOW_MS,
      firstStartedAt: Math.min(first.getTime(), at.startedAt.getTime()),
      failedAt: at.finishedAt.getTime(),
      maxAttempts: job.opts.attempts,
    });
  }

  /**
   * An admin replay of a dead letter restarts the job's attempt count (and so its window and
   * backoff); its attempts are numbered on after the earlier runs', never over them. The count is
   * kept in the job's data, so retries within the run and a stalled re-run see the same number.
   */
  private async attemptsOfEarlierRuns(job: Job<NotifyPublisherJob>): Promise<number> {
    if (job.attemptsMade === 0) {
      const last = await this.attempts.lastAttempt(job.data.deliveryId);
      if (last?.outcome === 'dead-lettered' && last.attempt > (job.data.attemptsOfEarlierRuns ?? 0)) {
        await job.updateData({ ...job.data, attemptsOfEarlierRuns: last.attempt });
        return last.attempt;
      }
    }
    return job.data.attemptsOfEarlierRuns ?? 0;
  }

  /** The decider leaves an operation the publisher (or its timeout) finished meanwhile as it is. */
  private async reject(job: Job<NotifyPublisherJob>, reason: string): Promise<void> {
    const { subscriptionId, operationId, deliveryId } = job.data;
    const metadata: EventMetadata = {
      actor: 'notifications',
      role: 'system',
      source: 'System',
      correlationId: operationId,
      causationId: deliveryId,
      requestId: job.id ?? deliveryId,
      occurredAt: this.clock.now().toISOString(),
    };
    await this.commands.execute(new RejectOperationOnWebhookAnswer(subscriptionId, operationId, reason, metadata));
  }

  private async post(url: string, job: NotifyPublisherJob): Promise<PostOutcome> {
    // A fresh short-lived token per attempt, so that a retry hours later still carries a valid one.
    const token = await this.keys.sign({ jti: randomUUID() }, { ...NOTIFICATION_TOKEN, audience: job.publisherId });
    return postJson(
      url,
      JSON.stringify(job.payload),
      { authorization: `Bearer ${token}`, 'user-agent': 'marketplace-fulfillment-hub' },
      this.config.NOTIFICATION_TIMEOUT_MS,
    );
  }
}
