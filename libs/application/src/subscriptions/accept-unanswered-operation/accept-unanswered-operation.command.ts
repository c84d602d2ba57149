import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { TimerFired } from '../../test-clocks/timer-fired';

export type AutoAcceptOutcome = 'accepted' | 'already-finished';

/** A change the publisher left unanswered for its whole window is accepted (Microsoft's rule). */
export class AcceptUnansweredOperation extends Command<TimerFired<AutoAcceptOutcome>> {
  constructor(
    readonly subscriptionId: string,
    readonly operationId: string,
    readonly metadata: EventMetadata,
    /** A test clock's advance fires it at its due time, in the clock's time; the wall clock's timer fires it now. */
    readonly dueAt?: string,
  ) {
    super();
  }
}
