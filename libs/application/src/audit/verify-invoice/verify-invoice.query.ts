import { Query } from '@nestjs/cqrs';
import type { InvoiceVerification } from './invoice-audit';

/** Re-rates an invoice's period (issued or still open) from the subscription logs and compares it with the stored lines (auditor). */
export class VerifyInvoice extends Query<InvoiceVerification> {
  constructor(readonly invoiceId: string) {
    super();
  }
}
