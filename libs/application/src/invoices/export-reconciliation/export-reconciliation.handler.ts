import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InvoicesRepository, ReconciliationExportsRepository, ReconciliationFile, ReconciliationRequest } from '@mfh/read-models';
import { Clock } from '../../clock';
import { ExportReconciliation } from './export-reconciliation.command';

@CommandHandler(ExportReconciliation)
export class ExportReconciliationHandler implements ICommandHandler<ExportReconciliation> {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly exports: ReconciliationExportsRepository,
    private readonly clock: Clock,
  ) {}

  async execute({ request }: ExportReconciliation): Promise<ReconciliationFile[]> {
    const recorded = await this.exports.find(request.id);
    if (recorded?.status === 'completed') return recorded.files;
    const files = request.invoiceId === null ? [] : await this.files(request.invoiceId, request);
    await this.exports.complete(request, files, this.clock.now().toISOString());
    return files;
  }

  /** One query a file: PostgreSQL hashes each file's bytes, so no line passes through this process. */
  private async files(invoiceId: string, { throughRevision, linesPerFile, lineCount }: ReconciliationRequest): Promise<ReconciliationFile[]> {
    const files: ReconciliationFile[] = [];
    for (let after = -1; ; ) {
      const file = await this.invoices.fileDigest(invoiceId, { afterRevision: after, throughRevision }, linesPerFile);
      if (file === null) break;
      files.push({ index: files.length + 1, ...file });
      after = file.lastRevision;
    }
    const exported = files.reduce((sum, file) => sum + file.lineCount, 0);
    // The lines were counted with the invoice they were saved with; fewer now means the read model lost some.
    if (exported !== lineCount) throw new Error(`Invoice ${invoiceId} has ${exported} lines up to revision ${throughRevision}, not the ${lineCount} it had`);
    return files;
  }
}
