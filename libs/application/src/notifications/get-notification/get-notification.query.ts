import { Query } from '@nestjs/cqrs';
import type { NotificationDelivery } from '@mfh/read-models';

/** One notification: what was posted, its state and its last attempt (admin). */
export class GetNotification extends Query<NotificationDelivery> {
  constructor(readonly deliveryId: string) {
    super();
  }
}
