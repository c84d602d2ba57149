import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { InvoicesRepository, InvoiceView, Page } from '@mfh/read-models';
import { SandboxErrors } from '../../test-clocks/sandbox.errors';
import { ListInvoices } from './list-invoices.query';

@QueryHandler(ListInvoices)
export class ListInvoicesHandler implements IQueryHandler<ListInvoices> {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly config: AppConfig,
  ) {}

  execute({ partnerId, testClockId, page }: ListInvoices): Promise<Page<InvoiceView>> {
    if (testClockId !== null && !this.config.SANDBOX) throw SandboxErrors.disabled('testClockId');
    return this.invoices.listIssued(partnerId, testClockId, page);
  }
}
