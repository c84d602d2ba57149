import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { WaitingOperationResult } from './waiting-operation';

/** The publisher's PATCH: a plan or a seat change, exactly one of the two (the decider refuses both or neither). */
export class ChangeSaasSubscription extends Command<WaitingOperationResult> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly planId: string | null,
    readonly quantity: number | null,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
