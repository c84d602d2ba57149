import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Page, SaasSubscription, saasSubscriptionRowView, SubscriptionsRepository } from '@mfh/read-models';
import { ListPublisherSubscriptions } from './list-publisher-subscriptions.query';

@QueryHandler(ListPublisherSubscriptions)
export class ListPublisherSubscriptionsHandler implements IQueryHandler<ListPublisherSubscriptions> {
  constructor(private readonly subscriptions: SubscriptionsRepository) {}

  async execute({ publisherId, page }: ListPublisherSubscriptions): Promise<Page<SaasSubscription>> {
    const rows = await this.subscriptions.listForPublisher(publisherId, page);
    return { ...rows, items: rows.items.map(saasSubscriptionRowView) };
  }
}
