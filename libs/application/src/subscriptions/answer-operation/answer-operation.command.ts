import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { SubscriptionResult } from '../subscription-result';

/** The publisher's PATCH on an operation: Success accepts it, Failure rejects it; a plan or quantity sent along must be the operation's. */
export class AnswerOperation extends Command<SubscriptionResult> {
  constructor(
    readonly publisherId: string,
    readonly subscriptionId: string,
    readonly operationId: string,
    readonly answer: { status: 'Success' | 'Failure'; planId?: string; quantity?: number },
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
