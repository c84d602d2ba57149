import { Query } from '@nestjs/cqrs';
import type { NotificationAttempt, NotificationDelivery } from '@mfh/read-models';

export interface NotificationAttempts {
  delivery: NotificationDelivery;
  attempts: NotificationAttempt[];
}

/** Every attempt to deliver one notification, in order (admin). */
export class ListNotificationAttempts extends Query<NotificationAttempts> {
  constructor(readonly deliveryId: string) {
    super();
  }
}
