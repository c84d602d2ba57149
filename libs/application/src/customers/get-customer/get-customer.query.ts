import { Query } from '@nestjs/cqrs';
import type { CustomerView } from '@mfh/read-models';

/** One of the partner's customers, read from its stream (read-your-writes); another partner's is not found. */
export class GetCustomer extends Query<CustomerView> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
  ) {
    super();
  }
}
