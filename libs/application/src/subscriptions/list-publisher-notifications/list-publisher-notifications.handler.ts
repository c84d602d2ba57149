import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { evolveSubscription, initialSubscriptionState, isSubscriptionEvent, subscriptionIdOf, SubscriptionState } from '@mfh/domain';
import { EventStore, RecordedEvent } from '@mfh/event-store';
import { NOTIFYING_EVENTS, publisherNotification } from '@mfh/read-models';
import { ListPublisherNotifications, PlannedNotification } from './list-publisher-notifications.query';

/**
 * Each notification is built from its subscription as it stood right after the event: a stream is
 * read only up to the latest such event, so later changes cannot leak in.
 */
@QueryHandler(ListPublisherNotifications)
export class ListPublisherNotificationsHandler implements IQueryHandler<ListPublisherNotifications> {
  constructor(private readonly store: EventStore) {}

  async execute({ events }: ListPublisherNotifications): Promise<PlannedNotification[]> {
    const byStream = new Map<string, Map<number, RecordedEvent>>();
    for (const event of events) {
      if (!NOTIFYING_EVENTS.has(event.type) || subscriptionIdOf(event.streamId) === null) continue;
      if (!byStream.has(event.streamId)) byStream.set(event.streamId, new Map());
      byStream.get(event.streamId)!.set(event.revision, event);
    }
    const planned: PlannedNotification[] = [];
    for (const [streamId, wanted] of byStream) {
      let state: SubscriptionState = initialSubscriptionState();
      for (const stored of await this.store.readStream(streamId, { maxCount: Math.max(...wanted.keys()) + 1 })) {
        if (isSubscriptionEvent(stored)) state = evolveSubscription(state, stored);
        const event = wanted.get(stored.revision);
        const payload = event && publisherNotification(state, String(event.data.operationId));
        if (event && payload) planned.push({ event, payload });
      }
    }
    const order = new Map(events.map((event, index) => [event.id, index]));
    return planned.sort((a, b) => order.get(a.event.id)! - order.get(b.event.id)!);
  }
}
