import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';

export type AutoAcceptOutcome = 'accepted' | 'already-finished';

/** A change the publisher left unanswered for its whole window is accepted (Microsoft's rule). */
export class AcceptUnansweredOperation extends Command<AutoAcceptOutcome> {
  constructor(
    readonly subscriptionId: string,
    readonly operationId: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
