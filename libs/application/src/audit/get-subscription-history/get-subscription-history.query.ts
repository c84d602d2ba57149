import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@mfh/event-store';

/** Every event of a subscription, any tenant's, in revision order (auditor; not found when there is none). */
export class GetSubscriptionHistory extends Query<RecordedEvent[]> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}
