import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { partnerSubscriptionView } from '@mfh/read-models';
import { subscriptionOfPartner } from '../../access/tenancy';
import { ActivationLinks } from '../../activation/activation-links';
import { GetSubscription, PartnerSubscriptionResult } from './get-subscription.query';

@QueryHandler(GetSubscription)
export class GetSubscriptionHandler implements IQueryHandler<GetSubscription> {
  constructor(
    private readonly store: EventStore,
    private readonly links: ActivationLinks,
  ) {}

  async execute({ partnerId, customerId, subscriptionId, known }: GetSubscription): Promise<PartnerSubscriptionResult> {
    const { state, revision } = known
      ? { state: known.subscription, revision: known.revision }
      : await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPartner(partnerId, customerId)(state);
    const link = subscription.status === 'pending' ? await this.links.of(subscription) : null;
    return { subscription: partnerSubscriptionView(subscription, () => link), revision };
  }
}
