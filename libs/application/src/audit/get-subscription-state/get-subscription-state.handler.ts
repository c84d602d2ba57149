import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@mfh/event-store';
import { partnerSubscriptionView } from '@mfh/read-models';
import { subscriptionHistory } from '../audit-log';
import { AuditErrors } from '../audit.errors';
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
    return {
      subscriptionId,
      revision: replayed.last.revision,
      occurredAt: String(replayed.last.metadata.occurredAt),
      recordedAt: replayed.last.recordedAt.toISOString(),
      asOf: asOf ?? null,
      subscription: partnerSubscriptionView(replayed.state),
    };
  }
}
