import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvoicesRepository, ReconciliationExportsRepository } from '@mfh/read-models';
import { InvoiceQueryErrors } from '../invoice.errors';
import { ReadReconciliationFile, ReconciliationFileContent } from './read-reconciliation-file.query';

@QueryHandler(ReadReconciliationFile)
export class ReadReconciliationFileHandler implements IQueryHandler<ReadReconciliationFile> {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly exports: ReconciliationExportsRepository,
  ) {}

  /** The first page is read before this resolves, so a store that fails at once fails the request with a problem. */
  async execute({ partnerId, exportId, index }: ReadReconciliationFile): Promise<ReconciliationFileContent> {
    const found = await this.exports.find(exportId);
    if (found === null || found.partnerId !== partnerId) throw InvoiceQueryErrors.reconciliationNotFound();
    const file = found.files.find((f) => f.index === index);
    if (!file || found.invoiceId === null) throw InvoiceQueryErrors.fileNotFound(found.files.length);
    const pages = this.invoices.linePages(found.invoiceId, { afterRevision: file.firstRevision - 1, throughRevision: file.lastRevision });
    const first = await pages.next();
    const text = (page: readonly { json: string }[]) => page.map((line) => `${line.json}\n`).join('');
    return {
      invoiceId: found.invoiceId,
      file,
      chunks: (async function* () {
        if (first.done) return;
        yield text(first.value);
        for await (const page of pages) yield text(page);
      })(),
    };
  }
}
