import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { SaasSubscription, saasSubscriptionView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { GetSaasSubscription } from './get-saas-subscription.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(GetSaasSubscription)
export class GetSaasSubscriptionHandler implements IQueryHandler<GetSaasSubscription> {
  constructor(private readonly states: StreamStates) {}

  async execute({ publisherId, subscriptionId }: GetSaasSubscription): Promise<SaasSubscription> {
    const { state } = await this.states.current(subscriptionStream(subscriptionId), subscriptionDecider);
    return saasSubscriptionView(subscriptionOfPublisher(publisherId)(state));
  }
}
