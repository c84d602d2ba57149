import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InvoicesRepository, ReconciliationExportsRepository, ReconciliationFile, ReconciliationRequest } from '@mfh/read-models';
import { createHash, Hash } from 'node:crypto';
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

  /** One pass over the lines, a page in memory at a time. */
  private async files(invoiceId: string, { throughRevision, linesPerFile, lineCount }: ReconciliationRequest): Promise<ReconciliationFile[]> {
    const files: ReconciliationFile[] = [];
    let open: { firstRevision: number; lastRevision: number; lineCount: number; hash: Hash } | null = null;
    const close = () => {
      if (open) files.push({ index: files.length + 1, firstRevision: open.firstRevision, lastRevision: open.lastRevision, lineCount: open.lineCount, sha256: open.hash.digest('hex') });
      open = null;
    };
    for await (const page of this.invoices.linePages(invoiceId, { afterRevision: -1, throughRevision })) {
      for (const line of page) {
        open ??= { firstRevision: line.revision, lastRevision: line.revision, lineCount: 0, hash: createHash('sha256') };
        open.hash.update(`${line.json}\n`);
        open.lastRevision = line.revision;
        if (++open.lineCount === linesPerFile) close();
      }
    }
    close();
    const exported = files.reduce((sum, file) => sum + file.lineCount, 0);
    // The lines were counted with the invoice they were saved with; fewer now means the read model lost some.
    if (exported !== lineCount) throw new Error(`Invoice ${invoiceId} has ${exported} lines up to revision ${throughRevision}, not the ${lineCount} it had`);
    return files;
  }
}
