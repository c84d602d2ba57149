import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriptionErrors } from '@mfh/domain';
import { EventStore } from '@mfh/event-store';
import { SubscriptionsRepository, SubscriptionVerification, verifySubscription } from '@mfh/read-models';
import { VerifySubscription } from './verify-subscription.query';

@QueryHandler(VerifySubscription)
export class VerifySubscriptionHandler implements IQueryHandler<VerifySubscription> {
  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async execute({ subscriptionId }: VerifySubscription): Promise<SubscriptionVerification> {
    const result = await verifySubscription(this.store, this.subscriptions, subscriptionId);
    if (!result) throw SubscriptionErrors.notFound();
    return result;
  }
}
