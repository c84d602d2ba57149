import { Query } from '@nestjs/cqrs';
import type { OrderView, Page, PageRequest } from '@mfh/read-models';

/** The orders of one of the partner's customers (read model); another partner's customer is not found. */
export class ListOrders extends Query<Page<OrderView>> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
