import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvoicesRepository, invoiceView, InvoiceView } from '@mfh/read-models';
import { issuedInvoiceOfPartner } from '../../access/tenancy';
import { GetInvoice } from './get-invoice.query';

@QueryHandler(GetInvoice)
export class GetInvoiceHandler implements IQueryHandler<GetInvoice> {
  constructor(private readonly invoices: InvoicesRepository) {}

  async execute({ partnerId, invoiceId }: GetInvoice): Promise<InvoiceView> {
    return invoiceView(issuedInvoiceOfPartner(partnerId)(await this.invoices.find(invoiceId)));
  }
}
