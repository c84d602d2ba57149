import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListPublisherNotifications } from '@mfh/application';
import { JOBS, NotifyPublisherJob, QUEUES } from '@mfh/messaging';
import { AppConfig, Catalog } from '@mfh/config';
import type { RecordedEvent } from '@mfh/event-store';
import { LogConsumer, NotificationsRepository } from '@mfh/read-models';
import type { Queue } from 'bullmq';
import type { PoolClient } from 'pg';
import { MAX_DELIVERY_ATTEMPTS, NOTIFICATION_BACKOFF } from './notification-backoff';

/**
 * Queues a notification for each operation a publisher with a notification URL must hear about. A
 * delivery is recorded in the checkpoint's transaction before its job is added: once recorded, it
 * was queued, so a replay of the log (even after the job is long gone) queues nothing again.
 */
@Injectable()
export class NotificationReactor implements LogConsumer {
  readonly name = 'reactor-publisher-notifications';

  constructor(
    @InjectQueue(QUEUES.notifications) private readonly queue: Queue<NotifyPublisherJob>,
    private readonly queries: QueryBus,
    private readonly catalog: Catalog,
    private readonly config: AppConfig,
    private readonly deliveries: NotificationsRepository,
  ) {}

  async handle(client: PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const planned = (await this.queries.execute(new ListPublisherNotifications(events))).filter(
      ({ payload }) => !!this.catalog.publisher(payload.publisherId)?.notificationUrl,
    );
    if (planned.length === 0) return;
    const fresh = await this.deliveries.recordDeliveries(
      client,
      planned.map(({ event, payload }) => ({
        id: event.id,
        subscriptionId: payload.subscriptionId,
        publisherId: payload.publisherId,
        operationId: payload.id,
        action: payload.action,
        operationStatus: payload.status,
        eventType: event.type,
        payload,
        createdAt: event.recordedAt,
      })),
    );
    const jobs = planned
      .filter(({ event }) => fresh.has(event.id))
      .map(({ event, payload }) => ({
        name: JOBS.notifyPublisher,
        data: {
          deliveryId: event.id,
          subscriptionId: payload.subscriptionId,
          publisherId: payload.publisherId,
          operationId: payload.id,
          payload,
        },
        opts: {
          jobId: event.id,
          attempts: MAX_DELIVERY_ATTEMPTS,
          backoff: { type: NOTIFICATION_BACKOFF, delay: this.config.NOTIFICATION_RETRY_BASE_MS },
        },
      }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }
}
