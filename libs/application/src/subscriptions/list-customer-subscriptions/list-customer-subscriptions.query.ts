import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest } from '@mfh/read-models';

/**
 * The subscriptions of one of the partner's customers, with activation links for pending ones (read
 * model); each item is a PartnerSubscriptionView's JSON text.
 */
export class ListCustomerSubscriptions extends Query<Page<string>> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
