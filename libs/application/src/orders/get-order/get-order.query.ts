import { Query } from '@nestjs/cqrs';
import type { OrderView } from '@mfh/read-models';

/** One order of one of the partner's customers, read from its stream (read-your-writes). */
export class GetOrder extends Query<OrderView> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly orderId: string,
  ) {
    super();
  }
}
