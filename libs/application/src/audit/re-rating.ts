import { RatableEvent, rate, SUBSCRIPTION_EVENT_TYPES, SubscriptionEvent } from '@mfh/domain';
import { eventsOfType, RecordedEvent } from '@mfh/event-store';
import { ratableEvent, testClockOfEvent } from '../billing/ratable-event';
import type { RatedLine } from './verify-invoice/invoice-audit';

const subscriptionEvents = eventsOfType<SubscriptionEvent>()(...SUBSCRIPTION_EVENT_TYPES);

/** A subscription's stored events as rating takes them (see ratableEvent). */
export function ratableEvents(events: readonly RecordedEvent[]): RatableEvent[] {
  return events.filter(subscriptionEvents).map(ratableEvent);
}

/** Every line a subscription's log rates to, each with the test clock its cause was decided on (as the charger files it). */
export function reRated(events: readonly RecordedEvent[]): RatedLine[] {
  const clocks = new Map(events.map((event) => [event.id, testClockOfEvent(event)]));
  return rate(ratableEvents(events)).map((line) => ({ ...line, testClockId: clocks.get(line.referenceId) ?? null }));
}
