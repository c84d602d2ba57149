import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { ListAvailablePlans } from './list-available-plans.query';
import { availablePlans, SaasPlan } from './saas-plans';
import { StreamStates } from '../../stream-states';

@QueryHandler(ListAvailablePlans)
export class ListAvailablePlansHandler implements IQueryHandler<ListAvailablePlans> {
  constructor(
    private readonly states: StreamStates,
    private readonly catalog: Catalog,
  ) {}

  async execute({ publisherId, subscriptionId, planId }: ListAvailablePlans): Promise<SaasPlan[]> {
    const { state } = await this.states.current(subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPublisher(publisherId)(state);
    const offer = this.catalog.offer(subscription.offerId);
    return offer ? availablePlans(offer, subscription.planId, planId) : [];
  }
}
