import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { SaasSubscription, saasSubscriptionView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { GetSaasSubscription } from './get-saas-subscription.query';

@QueryHandler(GetSaasSubscription)
export class GetSaasSubscriptionHandler implements IQueryHandler<GetSaasSubscription> {
  constructor(private readonly store: EventStore) {}

  async execute({ publisherId, subscriptionId }: GetSaasSubscription): Promise<SaasSubscription> {
    const { state } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    return saasSubscriptionView(subscriptionOfPublisher(publisherId)(state));
  }
}
