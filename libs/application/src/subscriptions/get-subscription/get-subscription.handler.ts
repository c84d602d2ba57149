import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { partnerSubscriptionView, SubscriptionsRepository, termChargedOf } from '@mfh/read-models';
import { subscriptionOfPartner } from '../../access/tenancy';
import { ActivationLinks } from '../../activation/activation-links';
import { GetSubscription, PartnerSubscriptionResult } from './get-subscription.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(GetSubscription)
export class GetSubscriptionHandler implements IQueryHandler<GetSubscription> {
  constructor(
    private readonly states: StreamStates,
    private readonly links: ActivationLinks,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async execute({ partnerId, customerId, subscriptionId, known }: GetSubscription): Promise<PartnerSubscriptionResult> {
    const [{ state, revision }, charges] = await Promise.all([
      known ? { state: known.subscription, revision: known.revision } : this.states.current(subscriptionStream(subscriptionId), subscriptionDecider),
      // The charges are the invoice streams' (ChargeRecorded), which only the read model gathers per subscription.
      this.subscriptions.termCharges(subscriptionId),
    ]);
    const subscription = subscriptionOfPartner(partnerId, customerId)(state);
    const link = subscription.status === 'pending' ? await this.links.of(subscription) : null;
    const termStart = subscription.status === 'pending' ? null : (subscription.billing?.termStart ?? null);
    return { subscription: partnerSubscriptionView(subscription, () => link, termChargedOf(charges, termStart)), revision };
  }
}
