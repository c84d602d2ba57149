import { Query } from '@nestjs/cqrs';
import type { SaasOperation } from '@mfh/read-models';

/** One operation, waiting or finished: what Operation-Location points at. */
export class GetSaasOperation extends Query<SaasOperation> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly operationId: string,
  ) {
    super();
  }
}
