import { Query } from '@nestjs/cqrs';
import type { InvoiceView } from '@mfh/read-models';

/** One issued invoice of the partner (read model); an open period, or another partner's, is not found. */
export class GetInvoice extends Query<InvoiceView> {
  constructor(
    readonly partnerId: string,
    readonly invoiceId: string,
  ) {
    super();
  }
}
