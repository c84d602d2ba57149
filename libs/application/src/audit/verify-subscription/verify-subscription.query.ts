import { Query } from '@nestjs/cqrs';
import type { SubscriptionVerification } from '@mfh/read-models';

/** Recomputes one subscription's hash chain, its tail checked against the subscriptions read model (auditor). */
export class VerifySubscription extends Query<SubscriptionVerification> {
  constructor(readonly subscriptionId: string) {
    super();
  }
}
