import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest, SaasSubscription } from '@mfh/read-models';

/** Every subscription of the publisher's offers, cancelled ones included, in the fulfillment API's shape (read model). */
export class ListPublisherSubscriptions extends Query<Page<SaasSubscription>> {
  constructor(
    readonly publisherId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
