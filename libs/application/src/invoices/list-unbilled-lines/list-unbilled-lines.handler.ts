import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvoicesRepository, Page } from '@mfh/read-models';
import { UnbilledPeriods } from '../unbilled-periods';
import { ListUnbilledLines } from './list-unbilled-lines.query';

@QueryHandler(ListUnbilledLines)
export class ListUnbilledLinesHandler implements IQueryHandler<ListUnbilledLines> {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly periods: UnbilledPeriods,
  ) {}

  async execute({ period, page }: ListUnbilledLines): Promise<Page<string>> {
    return this.invoices.lineTexts(await this.periods.openInvoice(period), page);
  }
}
