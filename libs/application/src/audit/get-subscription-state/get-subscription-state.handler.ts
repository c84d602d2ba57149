import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { rate, totalOf } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { partnerSubscriptionView } from '@mfh/read-models';
import { subscriptionHistory } from '../audit-log';
import { AuditErrors } from '../audit.errors';
import { ratableEvents } from '../re-rating';
import { ReplayPoint, replaySubscription } from '../subscription-replay';
import { AuditedSubscriptionState, GetSubscriptionState } from './get-subscription-state.query';

@QueryHandler(GetSubscriptionState)
export class GetSubscriptionStateHandler implements IQueryHandler<GetSubscriptionState> {
  constructor(private readonly store: EventStore) {}

  async execute({ subscriptionId, asOf, revision }: GetSubscriptionState): Promise<AuditedSubscriptionState> {
    if ((asOf === undefined) === (revision === undefined)) throw AuditErrors.invalidStateQuery();
    const point: ReplayPoint = asOf !== undefined ? { asOf: new Date(asOf) } : { revision: revision! };
    const events = await subscriptionHistory(this.store, subscriptionId);
    const latest = events[events.length - 1];
    if (revision !== undefined && revision > latest.revision) throw AuditErrors.revisionNotFound(latest.revision);
    const replayed = replaySubscription(events, point);
    if (!replayed) throw AuditErrors.notYetPurchased(String(asOf), String(events[0].metadata.occurredAt));
    const { state } = replayed;
    // What the term had cost by then, re-rated from the same prefix: the charges recorded later say nothing of that moment.
    const termStart = state.status === 'pending' ? null : (state.billing?.termStart ?? null);
    const termLines = rate(ratableEvents(events.slice(0, events.indexOf(replayed.last) + 1))).filter((line) => line.termStartDate === termStart);
    return {
      subscriptionId,
      revision: replayed.last.revision,
      occurredAt: String(replayed.last.metadata.occurredAt),
      recordedAt: replayed.last.recordedAt.toISOString(),
      asOf: asOf ?? null,
      subscription: partnerSubscriptionView(state, undefined, totalOf(termLines)),
    };
  }
}
