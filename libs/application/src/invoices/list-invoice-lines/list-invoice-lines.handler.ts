import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvoicesRepository, Page } from '@mfh/read-models';
import { InvoiceQueryErrors } from '../invoice.errors';
import { ListInvoiceLines } from './list-invoice-lines.query';

@QueryHandler(ListInvoiceLines)
export class ListInvoiceLinesHandler implements IQueryHandler<ListInvoiceLines> {
  constructor(private readonly invoices: InvoicesRepository) {}

  async execute({ partnerId, invoiceId, page }: ListInvoiceLines): Promise<Page<string>> {
    const found = await this.invoices.issuedLineTexts(partnerId, invoiceId, page);
    if (found === null) throw InvoiceQueryErrors.notFound();
    return found;
  }
}
