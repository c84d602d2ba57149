import { Query } from '@nestjs/cqrs';
import type { SaasOperation } from '@mfh/read-models';

/** The operations of one of the publisher's subscriptions that wait for it (InProgress), always current. */
export class ListSaasOperations extends Query<SaasOperation[]> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
  ) {
    super();
  }
}
