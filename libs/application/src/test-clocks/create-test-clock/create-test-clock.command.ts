import { Command } from '@nestjs/cqrs';
import type { ExistingTestClock } from '@mfh/domain';
import type { EventMetadata } from '@mfh/event-store';

/** A new sandbox clock standing still at `frozenTime`; with an Idempotency-Key a resend answers the same clock. */
export class CreateTestClock extends Command<ExistingTestClock> {
  constructor(
    readonly name: string,
    readonly frozenTime: string,
    readonly idempotencyKey: string | null,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
