import { Query } from '@nestjs/cqrs';
import type { ReconciliationExport } from '@mfh/read-models';

/** A reconciliation export of the partner's: running, or completed with its files. */
export class GetReconciliation extends Query<ReconciliationExport> {
  constructor(
    readonly partnerId: string,
    readonly exportId: string,
  ) {
    super();
  }
}
