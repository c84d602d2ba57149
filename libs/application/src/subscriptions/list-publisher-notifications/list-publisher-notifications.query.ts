import { Query } from '@nestjs/cqrs';
import type { RecordedEvent } from '@mfh/event-store';
import type { PublisherNotification } from '@mfh/read-models';

export interface PlannedNotification {
  event: RecordedEvent;
  payload: PublisherNotification;
}

/** The webhook notifications a batch of the log's events calls for, in the order of their events. */
export class ListPublisherNotifications extends Query<PlannedNotification[]> {
  constructor(readonly events: readonly RecordedEvent[]) {
    super();
  }
}
