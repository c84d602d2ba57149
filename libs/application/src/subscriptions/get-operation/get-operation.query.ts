import { Query } from '@nestjs/cqrs';
import type { OperationView } from '@mfh/read-models';

/** A change of the partner's subscription that waits, or waited, for the publisher (its Operation-Location). */
export class GetOperation extends Query<OperationView> {
  constructor(
    readonly partnerId: string,
    readonly customerId: string,
    readonly subscriptionId: string,
    readonly operationId: string,
  ) {
    super();
  }
}
