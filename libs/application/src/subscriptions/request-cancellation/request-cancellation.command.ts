import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { WaitingOperationResult } from '../change-saas-subscription/waiting-operation';

/** The publisher's DELETE: asks to cancel, as an operation that waits to be accepted. */
export class RequestCancellation extends Command<WaitingOperationResult> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
