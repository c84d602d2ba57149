import { Query } from '@nestjs/cqrs';
import type { SaasSubscription } from '@mfh/read-models';

/** One subscription of the publisher's offers, always current (read from its stream). */
export class GetSaasSubscription extends Query<SaasSubscription> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
  ) {
    super();
  }
}
