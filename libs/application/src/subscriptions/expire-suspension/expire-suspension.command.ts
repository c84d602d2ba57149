import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { TimerFired } from '../../test-clocks/timer-fired';

export type SuspensionGraceOutcome = 'cancelled' | 'nothing-to-do';

/** When a suspension's grace ends: the subscription is cancelled if that suspension still holds. */
export class ExpireSuspension extends Command<TimerFired<SuspensionGraceOutcome>> {
  constructor(
    readonly subscriptionId: string,
    /** The suspension (its Suspend operation) whose grace ends; a later suspension has its own. */
    readonly suspensionOperationId: string,
    readonly metadata: EventMetadata,
    /** A test clock's advance fires it at its due time, in the clock's time; the wall clock's timer fires it now. */
    readonly dueAt?: string,
  ) {
    super();
  }
}
