import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest } from '@mfh/read-models';

/** The lines of one of the partner's issued invoices, in the order they were charged (read model). */
export class ListInvoiceLines extends Query<Page<string>> {
  constructor(
    readonly partnerId: string,
    readonly invoiceId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
