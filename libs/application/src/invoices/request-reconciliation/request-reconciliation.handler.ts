import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { InvoicesRepository, ReconciliationExport, ReconciliationExportsRepository, ReconciliationRequest } from '@mfh/read-models';
import { randomUUID } from 'node:crypto';
import { issuedInvoiceOfPartner } from '../../access/tenancy';
import { Clock } from '../../clock';
import { ReconciliationJobs } from '../reconciliation-jobs';
import { UnbilledPeriods } from '../unbilled-periods';
import { RequestReconciliation } from './request-reconciliation.command';

@CommandHandler(RequestReconciliation)
export class RequestReconciliationHandler implements ICommandHandler<RequestReconciliation> {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly periods: UnbilledPeriods,
    private readonly exports: ReconciliationExportsRepository,
    private readonly jobs: ReconciliationJobs,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async execute({ partnerId, target }: RequestReconciliation): Promise<ReconciliationExport> {
    const invoice =
      'invoiceId' in target ? issuedInvoiceOfPartner(partnerId)(await this.invoices.find(target.invoiceId)) : await this.periods.openInvoice(target.unbilled);
    // The row's revision and line count were saved with its lines, in one transaction: these are the lines it has.
    const request: ReconciliationRequest = {
      id: randomUUID(),
      partnerId,
      invoiceId: invoice?.key ?? null,
      throughRevision: invoice?.revision ?? -1,
      lineCount: invoice?.lineCount ?? 0,
      linesPerFile: this.config.RECONCILIATION_LINES_PER_FILE,
      requestedAt: this.clock.now().toISOString(),
    };
    // Queued before it is recorded: no export reads running without a job to finish it.
    await this.jobs.enqueue(request);
    await this.exports.record(request);
    return { ...request, status: 'running', files: [], completedAt: null };
  }
}
