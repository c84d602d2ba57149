import { Query } from '@nestjs/cqrs';
import type { ExistingTestClock } from '@mfh/domain';

/** One test clock, from its stream: an advance that just started or finished shows at once. */
export class GetTestClock extends Query<ExistingTestClock> {
  constructor(readonly testClockId: string) {
    super();
  }
}
