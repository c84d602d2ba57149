import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore, RecordedEvent } from '@mfh/event-store';
import { subscriptionHistory } from '../audit-log';
import { GetSubscriptionHistory } from './get-subscription-history.query';

@QueryHandler(GetSubscriptionHistory)
export class GetSubscriptionHistoryHandler implements IQueryHandler<GetSubscriptionHistory> {
  constructor(private readonly store: EventStore) {}

  execute({ subscriptionId }: GetSubscriptionHistory): Promise<RecordedEvent[]> {
    return subscriptionHistory(this.store, subscriptionId);
  }
}
