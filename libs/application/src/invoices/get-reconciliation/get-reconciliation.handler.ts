import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ReconciliationExport, ReconciliationExportsRepository } from '@mfh/read-models';
import { InvoiceQueryErrors } from '../invoice.errors';
import { ReconciliationJobs } from '../reconciliation-jobs';
import { GetReconciliation } from './get-reconciliation.query';

@QueryHandler(GetReconciliation)
export class GetReconciliationHandler implements IQueryHandler<GetReconciliation> {
  constructor(
    private readonly exports: ReconciliationExportsRepository,
    private readonly jobs: ReconciliationJobs,
  ) {}

  async execute({ partnerId, exportId }: GetReconciliation): Promise<ReconciliationExport> {
    const found = await this.exports.find(exportId);
    if (found === null || found.partnerId !== partnerId) throw InvoiceQueryErrors.reconciliationNotFound();
    // While it runs, its job is asked for again: one lost with Redis, or failed for good, is queued anew.
    // The answer is the table's either way, so a queue out of reach now waits for the next poll.
    if (found.status === 'running') {
      const { status: _status, files: _files, completedAt: _completedAt, ...request } = found;
      await this.jobs.enqueue(request).catch(() => undefined);
    }
    return found;
  }
}
