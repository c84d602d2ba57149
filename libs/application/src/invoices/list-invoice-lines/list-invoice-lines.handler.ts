import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvoicesRepository, Page } from '@mfh/read-models';
import { issuedInvoiceOfPartner } from '../../access/tenancy';
import { ListInvoiceLines } from './list-invoice-lines.query';

@QueryHandler(ListInvoiceLines)
export class ListInvoiceLinesHandler implements IQueryHandler<ListInvoiceLines> {
  constructor(private readonly invoices: InvoicesRepository) {}

  async execute({ partnerId, invoiceId, page }: ListInvoiceLines): Promise<Page<string>> {
    return this.invoices.lineTexts(issuedInvoiceOfPartner(partnerId)(await this.invoices.find(invoiceId)), page);
  }
}
