import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest, PartnerSubscriptionView } from '@mfh/read-models';

/** The subscriptions of one of the partner's customers, with activation links for pending ones (read model). */
export class ListCustomerSubscriptions extends Query<Page<PartnerSubscriptionView>> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
