import type { RatableEvent, SubscriptionEvent } from '@mfh/domain';
import type { RecordedEvent } from '@mfh/event-store';

/**
 * A stored subscription event as rating takes it, the same for the charger and the auditor: its id
 * (the lines' referenceId) and its business time, `metadata.occurredAt` as stored, or when it was
 * written for an event without one.
 */
export function ratableEvent(event: RecordedEvent): RatableEvent {
  const occurredAt = event.metadata.occurredAt;
  return { ...(event as unknown as SubscriptionEvent), id: event.id, occurredAt: typeof occurredAt === 'string' ? occurredAt : event.recordedAt.toISOString() };
}

/** The test clock an event was decided on; null on the wall clock. */
export const testClockOfEvent = (event: RecordedEvent): string | null => (typeof event.metadata.testClockId === 'string' ? event.metadata.testClockId : null);
