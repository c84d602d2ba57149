import { Query } from '@nestjs/cqrs';
import type { InvoiceView, Page, PageRequest } from '@mfh/read-models';

/** The partner's issued invoices, newest first: a test clock's (sandbox), or the real ones (read model). */
export class ListInvoices extends Query<Page<InvoiceView>> {
  constructor(
    readonly partnerId: string,
    readonly testClockId: string | null,
    readonly page: PageRequest,
  ) {
    super();
  }
}
