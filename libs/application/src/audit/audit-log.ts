import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { EventStore, GlobalPosition, parsePosition, RecordedEvent } from '@mfh/event-store';
import { AuditErrors } from './audit.errors';

/** Every event of the subscription's stream, in revision order; not found when it has none. */
export async function subscriptionHistory(store: EventStore, subscriptionId: string): Promise<RecordedEvent[]> {
  const events = await store.readStream(subscriptionStream(subscriptionId));
  if (events.length === 0) throw SubscriptionErrors.notFound();
  return events;
}

/** The feed's start: `after` omitted, `0`, or `0-0` (how EventStoreDB writes the start of $all). */
const START = new Set(['0', '0-0']);

/**
 * Where the feed resumes: null at the start, otherwise the position of an event of the log (one the
 * feed handed out). Any other position, between events, past the last one or out of range, is
 * refused on every store alike rather than read from wherever the store would start.
 */
export async function feedPosition(store: EventStore, after: string | null): Promise<GlobalPosition | null> {
  if (after === null || START.has(after)) return null;
  const position = parsePosition(after);
  if (!position || !(await store.hasEventAt(position))) throw AuditErrors.invalidPosition();
  return position;
}
