import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { evolveSubscription, initialSubscriptionState, isSubscriptionEvent, nextBillingCycleDueOf, subscriptionIdOf, SubscriptionState } from '@mfh/domain';
import { EventStore, RecordedEvent } from '@mfh/event-store';
import { BillingCycleDue, ListBillingCyclesDue } from './list-billing-cycles-due.query';

const TERM_BILLING = new Set(['BillingStarted', 'SubscriptionRenewed', 'BillingCycleStarted', 'BillingCycleSkipped']);

/** The events alone do not say: a renewal omits how the term is billed, a cycle its term. The state right after each does. */
@QueryHandler(ListBillingCyclesDue)
export class ListBillingCyclesDueHandler implements IQueryHandler<ListBillingCyclesDue> {
  constructor(private readonly store: EventStore) {}

  async execute({ events }: ListBillingCyclesDue): Promise<BillingCycleDue[]> {
    const byStream = new Map<string, Map<number, RecordedEvent>>();
    for (const event of events) {
      if (!TERM_BILLING.has(event.type) || subscriptionIdOf(event.streamId) === null) continue;
      if (!byStream.has(event.streamId)) byStream.set(event.streamId, new Map());
      byStream.get(event.streamId)!.set(event.revision, event);
    }
    const due: BillingCycleDue[] = [];
    for (const [streamId, wanted] of byStream) {
      let state: SubscriptionState = initialSubscriptionState();
      for (const stored of await this.store.readStream(streamId, { maxCount: Math.max(...wanted.keys()) + 1 })) {
        if (isSubscriptionEvent(stored)) state = evolveSubscription(state, stored);
        const event = wanted.get(stored.revision);
        const cycle = event && nextBillingCycleDueOf(state);
        if (event && cycle) due.push({ event, subscriptionId: subscriptionIdOf(streamId)!, cycle });
      }
    }
    const order = new Map(events.map((event, index) => [event.id, index]));
    return due.sort((a, b) => order.get(a.event.id)! - order.get(b.event.id)!);
  }
}
