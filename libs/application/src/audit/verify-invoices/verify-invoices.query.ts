import { Query } from '@nestjs/cqrs';
import type { InvoiceVerification } from '../verify-invoice/invoice-audit';

export interface InvoicesVerification {
  /** Every invoice of the log, by id. */
  invoices: InvoiceVerification[];
  /** Streams named like a billing period's whose id names none: only a write past this system makes one. */
  unrecognized: string[];
  /** Events read from the log to find them. */
  events: number;
}

/** Every invoice the log holds, each verified as VerifyInvoice does (operator). */
export class VerifyInvoices extends Query<InvoicesVerification> {
  constructor(
    readonly pageSize: number,
    /** Told the number of events read after each page of the log, then the invoices verified after each one. */
    readonly onProgress?: (progress: { eventsRead: number; invoicesVerified: number; invoices: number | null }) => void,
  ) {
    super();
  }
}
