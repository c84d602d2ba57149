import { evolveSubscription, initialSubscriptionState, SubscriptionEvent, subscriptionIdOf, SubscriptionState } from '@mfh/domain';
import type { EventStore, RecordedEvent } from '@mfh/event-store';
import { NOTIFYING_EVENTS, PublisherNotification, publisherNotification } from '@mfh/read-models';

export interface PlannedNotification {
  event: RecordedEvent;
  payload: PublisherNotification;
}

/**
 * The notifications these events call for, each built from its subscription as it stood right after
 * the event: a stream is read only up to the latest such event, so later changes cannot leak in.
 */
export async function planNotifications(
  store: EventStore,
  events: readonly RecordedEvent[],
): Promise<PlannedNotification[]> {
  const byStream = new Map<string, Map<number, RecordedEvent>>();
  for (const event of events) {
    if (!NOTIFYING_EVENTS.has(event.type) || subscriptionIdOf(event.streamId) === null) continue;
    if (!byStream.has(event.streamId)) byStream.set(event.streamId, new Map());
    byStream.get(event.streamId)!.set(event.revision, event);
  }
  const planned: PlannedNotification[] = [];
  for (const [streamId, wanted] of byStream) {
    const last = Math.max(...wanted.keys());
    let state: SubscriptionState = initialSubscriptionState();
    for (const stored of await store.readStream(streamId, { maxCount: last + 1 })) {
      state = evolveSubscription(state, stored as unknown as SubscriptionEvent);
      const event = wanted.get(stored.revision);
      const payload = event && publisherNotification(state, String(event.data.operationId));
      if (event && payload) planned.push({ event, payload });
    }
  }
  const order = new Map(events.map((event, index) => [event.id, index]));
  return planned.sort((a, b) => order.get(a.event.id)! - order.get(b.event.id)!);
}
