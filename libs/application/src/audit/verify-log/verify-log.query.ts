import { Query } from '@nestjs/cqrs';
import type { LogVerification } from '@mfh/read-models';

/** Every stream's hash chain in one pass over the global log, then every subscription's tail (operator). */
export class VerifyLog extends Query<LogVerification> {
  constructor(
    readonly pageSize: number,
    /** Told the number of events read after each page, for a progress bar. */
    readonly onPage?: (eventsRead: number) => void,
  ) {
    super();
  }
}
