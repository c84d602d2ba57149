import { RatableEvent, rate, SUBSCRIPTION_EVENT_TYPES, SubscriptionEvent } from '@mfh/domain';
import { eventsOfType, RecordedEvent } from '@mfh/event-store';
import type { RatedLine } from './verify-invoice/invoice-audit';

const subscriptionEvents = eventsOfType<SubscriptionEvent>()(...SUBSCRIPTION_EVENT_TYPES);

/**
 * A subscription's stored events as rating takes them: each with its id (the lines' referenceId) and
 * its business time, `metadata.occurredAt` as stored (the charger rates the same string), or when it
 * was written for an event without one.
 */
export function ratableEvents(events: readonly RecordedEvent[]): RatableEvent[] {
  return events.filter(subscriptionEvents).map((event) => {
    const occurredAt = event.metadata.occurredAt;
    return { ...(event as unknown as SubscriptionEvent), id: event.id, occurredAt: typeof occurredAt === 'string' ? occurredAt : event.recordedAt.toISOString() };
  });
}

/** Every line a subscription's log rates to, each with the test clock its cause was decided on (as the charger files it). */
export function reRated(events: readonly RecordedEvent[]): RatedLine[] {
  const clocks = new Map(events.map((event) => [event.id, typeof event.metadata.testClockId === 'string' ? event.metadata.testClockId : null]));
  return rate(ratableEvents(events)).map((line) => ({ ...line, testClockId: clocks.get(line.referenceId) ?? null }));
}
