import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotificationDelivery, NotificationsRepository } from '@mfh/read-models';
import { NotificationErrors } from '../notification.errors';
import { GetNotification } from './get-notification.query';

@QueryHandler(GetNotification)
export class GetNotificationHandler implements IQueryHandler<GetNotification> {
  constructor(private readonly notifications: NotificationsRepository) {}

  async execute({ deliveryId }: GetNotification): Promise<NotificationDelivery> {
    const delivery = await this.notifications.delivery(deliveryId);
    if (!delivery) throw NotificationErrors.notFound(deliveryId);
    return delivery;
  }
}
