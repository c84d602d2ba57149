import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotificationsRepository } from '@mfh/read-models';
import { NotificationErrors } from '../notification.errors';
import { ListNotificationAttempts, NotificationAttempts } from './list-notification-attempts.query';

@QueryHandler(ListNotificationAttempts)
export class ListNotificationAttemptsHandler implements IQueryHandler<ListNotificationAttempts> {
  constructor(private readonly notifications: NotificationsRepository) {}

  async execute({ deliveryId }: ListNotificationAttempts): Promise<NotificationAttempts> {
    const [delivery, attempts] = await Promise.all([this.notifications.delivery(deliveryId), this.notifications.attempts(deliveryId)]);
    if (!delivery) throw NotificationErrors.notFound(deliveryId);
    return { delivery, attempts };
  }
}
