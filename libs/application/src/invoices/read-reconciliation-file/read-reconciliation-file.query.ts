import { Query } from '@nestjs/cqrs';
import type { ReconciliationFile } from '@mfh/read-models';

export interface ReconciliationFileContent {
  invoiceId: string;
  file: ReconciliationFile;
  /** The file's bytes as text, a page of lines per chunk: each line's JSON and a newline. */
  chunks: AsyncIterable<string>;
}

/** One file of a completed export of the partner's, streamed from the read model. */
export class ReadReconciliationFile extends Query<ReconciliationFileContent> {
  constructor(
    readonly partnerId: string,
    readonly exportId: string,
    /** From 1. */
    readonly index: number,
  ) {
    super();
  }
}
