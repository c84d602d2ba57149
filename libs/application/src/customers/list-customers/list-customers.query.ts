import { Query } from '@nestjs/cqrs';
import type { CustomerView, Page, PageRequest } from '@mfh/read-models';

/** The partner's customers, oldest first (read model). */
export class ListCustomers extends Query<Page<CustomerView>> {
  constructor(
    readonly partnerId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
