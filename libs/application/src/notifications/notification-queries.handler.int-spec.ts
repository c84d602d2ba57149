import { createPgPool } from '@mfh/event-store';
import { NotificationsRepository } from '@mfh/read-models';
import { createTestSchema, TestSchema } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { GetNotificationHandler } from './get-notification/get-notification.handler';
import { GetNotification } from './get-notification/get-notification.query';
import { ListNotificationAttemptsHandler } from './list-notification-attempts/list-notification-attempts.handler';
import { ListNotificationAttempts } from './list-notification-attempts/list-notification-attempts.query';
import { ListNotificationsHandler } from './list-notifications/list-notifications.handler';
import { ListNotifications } from './list-notifications/list-notifications.query';

describe('admin notification queries (PostgreSQL)', () => {
  let schema: TestSchema;
  let pool: Pool;
  let repository: NotificationsRepository;
  const subscriptionId = randomUUID();
  const deliveryId = randomUUID();
  const operationId = randomUUID();

  beforeAll(async () => {
    schema = await createTestSchema('notifq');
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 2 });
    repository = await NotificationsRepository.open(pool, schema.schema);
    const client = await pool.connect();
    try {
      await repository.recordDeliveries(client, [
        {
          id: deliveryId,
          subscriptionId,
          publisherId: 'fabrikam',
          operationId,
          action: 'Unsubscribe',
          operationStatus: 'Succeeded',
          eventType: 'Cancelled',
          payload: { id: 'op' },
          createdAt: new Date(),
        },
      ]);
    } finally {
      client.release();
    }
    await repository.recordAttempt({
      deliveryId,
      attempt: 1,
      operationId,
      subscriptionId,
      publisherId: 'fabrikam',
      url: 'http://publisher.example/webhook',
      startedAt: new Date(),
      finishedAt: new Date(),
      durationMs: 3,
      httpStatus: 200,
      error: null,
      outcome: 'delivered',
      nextAttemptAt: null,
    });
  });

  afterAll(async () => {
    await pool.end();
    await schema.drop();
  });

  it('lists deliveries by subscription, whatever the case of the id sent', async () => {
    const page = await new ListNotificationsHandler(repository).execute(new ListNotifications({ subscriptionId: subscriptionId.toUpperCase() }, { size: 10 }));
    expect(page.items.map((d) => [d.id, d.state])).toEqual([[deliveryId, 'delivered']]);
    const none = await new ListNotificationsHandler(repository).execute(new ListNotifications({ subscriptionId, state: 'dead-lettered' }, { size: 10 }));
    expect(none.totalCount).toBe(0);
  });

  it('reads one delivery and its attempts; an unknown one is notification-not-found', async () => {
    expect(await new GetNotificationHandler(repository).execute(new GetNotification(deliveryId))).toMatchObject({ id: deliveryId, attemptCount: 1 });
    const { attempts } = await new ListNotificationAttemptsHandler(repository).execute(new ListNotificationAttempts(deliveryId));
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'delivered']]);
    await expect(new GetNotificationHandler(repository).execute(new GetNotification(randomUUID()))).rejects.toMatchObject({ code: 'notification-not-found', kind: 'not-found' });
    await expect(new ListNotificationAttemptsHandler(repository).execute(new ListNotificationAttempts(randomUUID()))).rejects.toMatchObject({ code: 'notification-not-found' });
  });
});
