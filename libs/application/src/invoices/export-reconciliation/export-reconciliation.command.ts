import { Command } from '@nestjs/cqrs';
import type { ReconciliationFile, ReconciliationRequest } from '@mfh/read-models';

/**
 * Writes an export's files manifest: the pinned lines read in order, cut every `linesPerFile`, each
 * file's lines counted and its bytes hashed. Run again, it writes the same (lines never change).
 */
export class ExportReconciliation extends Command<ReconciliationFile[]> {
  constructor(readonly request: ReconciliationRequest) {
    super();
  }
}
