import { Query } from '@nestjs/cqrs';
import type { DeliveryFilter, NotificationDelivery, Page, PageRequest } from '@mfh/read-models';

/** Notifications to publishers, oldest first, each with its state and last attempt (admin). */
export class ListNotifications extends Query<Page<NotificationDelivery>> {
  constructor(
    readonly filter: DeliveryFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
