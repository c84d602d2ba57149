import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';

export type WebhookAnswerOutcome = 'rejected' | 'already-finished';

/** The publisher answered the notification of a waiting change with a 4xx: Microsoft's way to reject it. */
export class RejectOperationOnWebhookAnswer extends Command<WebhookAnswerOutcome> {
  constructor(
    readonly subscriptionId: string,
    readonly operationId: string,
    readonly reason: string,
    readonly metadata: EventMetadata,
  ) {
    super();
  }
}
