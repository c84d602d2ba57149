import { Query } from '@nestjs/cqrs';
import type { ExistingSubscription } from '@mfh/domain';
import type { PartnerSubscriptionView } from '@mfh/read-models';

export interface PartnerSubscriptionResult {
  subscription: PartnerSubscriptionView;
  /** The stream revision, for the ETag. */
  revision: number;
}

/**
 * One subscription of the partner's customer as Partner Center shows it, with the publisher's
 * activation link while pending; read from its stream, so always current.
 */
export class GetSubscription extends Query<PartnerSubscriptionResult> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly subscriptionId: string,
    /** The state and revision a command just left (a PATCH answers with them); spares reading the stream again. */
    readonly known?: { subscription: ExistingSubscription; revision: number },
  ) {
    super();
  }
}
