import { Command } from '@nestjs/cqrs';
import type { ReconciliationExport } from '@mfh/read-models';
import type { UnbilledPeriod } from '../unbilled-periods';

/** An issued invoice by id, or the open period's unbilled lines. */
export type ReconciliationTarget = { invoiceId: string } | { unbilled: UnbilledPeriod };

/**
 * Asks for the reconciliation files of an invoice: pinned to the lines it has now, written by the
 * worker, then read from the export (SPEC §12). Returns the export, running.
 */
export class RequestReconciliation extends Command<ReconciliationExport> {
  constructor(
    readonly partnerId: string,
    readonly target: ReconciliationTarget,
  ) {
    super();
  }
}
