import { Command } from '@nestjs/cqrs';
import type { ExistingTestClock } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';

/** Asks the clock to move to `frozenTime`; the worker then fires every timer due on the way (RunTestClockAdvance). */
export class AdvanceTestClock extends Command<ExistingTestClock> {
  constructor(
    readonly testClockId: string,
    readonly frozenTime: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
