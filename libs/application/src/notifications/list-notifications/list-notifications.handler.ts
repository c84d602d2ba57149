import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { NotificationDelivery, NotificationsRepository, Page } from '@mfh/read-models';
import { ListNotifications } from './list-notifications.query';

@QueryHandler(ListNotifications)
export class ListNotificationsHandler implements IQueryHandler<ListNotifications> {
  constructor(private readonly notifications: NotificationsRepository) {}

  execute({ filter, page }: ListNotifications): Promise<Page<NotificationDelivery>> {
    return this.notifications.deliveries({ subscriptionId: filter.subscriptionId?.toLowerCase(), state: filter.state }, page);
  }
}
