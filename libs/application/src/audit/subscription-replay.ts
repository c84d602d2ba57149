import { ExistingSubscription, SUBSCRIPTION_EVENT_TYPES, SubscriptionEvent } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { eventsOfType, RecordedEvent } from '@mfh/event-store';

const subscriptionEvents = eventsOfType<SubscriptionEvent>()(...SUBSCRIPTION_EVENT_TYPES);

/** Where to stop replaying: after a stream revision, or after what had occurred by a business time. */
export type ReplayPoint = { revision: number } | { asOf: Date };

export interface ReplayedSubscription {
  state: ExistingSubscription;
  /** The last event applied. */
  last: RecordedEvent;
}

/** An event's business time: the clock its command was decided on. */
export function occurredAtOf(event: RecordedEvent): number {
  const occurredAt = Date.parse(String(event.metadata.occurredAt));
  return Number.isNaN(occurredAt) ? event.recordedAt.getTime() : occurredAt;
}

/**
 * Folds the longest prefix of the stream that the point covers through the command side's own
 * `evolve`. By time, replay stops at the first event that occurred after `asOf` rather than skipping
 * it: two concurrent commands can be stored in the opposite order of their clocks, and only a
 * prefix is a state the subscription really had. Null when not even the purchase is covered.
 */
export function replaySubscription(events: readonly RecordedEvent[], point: ReplayPoint): ReplayedSubscription | null {
  let state = subscriptionDecider.initialState();
  let last: RecordedEvent | null = null;
  for (const event of events) {
    if ('revision' in point ? event.revision > point.revision : occurredAtOf(event) > point.asOf.getTime()) break;
    // An event of a type this version does not know changes nothing, but was there.
    if (subscriptionEvents(event)) state = subscriptionDecider.evolve(state, event);
    last = event;
  }
  return state.status === 'none' || last === null ? null : { state, last };
}
