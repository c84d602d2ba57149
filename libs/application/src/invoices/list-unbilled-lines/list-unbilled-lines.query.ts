import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest } from '@mfh/read-models';
import type { UnbilledPeriod } from '../unbilled-periods';

/** The lines of the partner's open period, the month it is now or the one before (read model); none once that is issued. */
export class ListUnbilledLines extends Query<Page<string>> {
  constructor(
    readonly period: UnbilledPeriod,
    readonly page: PageRequest,
  ) {
    super();
  }
}
