import type { DomainEvent } from '@mfh/domain';
import type { JsonObject, RecordedEvent } from './event-store.port';

/** A stored event whose type and data are those of the domain event E. */
export type Recorded<E extends DomainEvent> = E extends DomainEvent<infer T, infer D> ? RecordedEvent<T, D & JsonObject> : never;

/**
 * A guard from the types a consumer handles: `const handles = eventsOfType<SubscriptionEvent>()('BillingStarted')`
 * narrows a RecordedEvent to those domain events, and the compiler checks every type named is one of E's.
 */
export const eventsOfType =
  <E extends DomainEvent>() =>
  <T extends E['type']>(...types: readonly T[]) => {
    const wanted: ReadonlySet<string> = new Set(types);
    const guard = (event: RecordedEvent): event is Recorded<Extract<E, { type: T }>> => wanted.has(event.type);
    return Object.assign(guard, { types: types as readonly T[] });
  };
