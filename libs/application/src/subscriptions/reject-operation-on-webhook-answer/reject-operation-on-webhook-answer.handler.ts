import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream, type SubscriptionCommand } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { RejectOperationOnWebhookAnswer, WebhookAnswerOutcome } from './reject-operation-on-webhook-answer.command';

/** Rejects the operation unless the publisher (or its timeout) has finished it meanwhile. */
@CommandHandler(RejectOperationOnWebhookAnswer)
export class RejectOperationOnWebhookAnswerHandler implements ICommandHandler<RejectOperationOnWebhookAnswer> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, operationId, reason, metadata }: RejectOperationOnWebhookAnswer): Promise<WebhookAnswerOutcome> {
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'RejectOperation', data: { operationId, reason, now, answeredBy: 'Notification' } }),
      metadata,
      eventId: (index) => derivedId(operationId, 'rejected-by-webhook-answer', index),
    });
    return result.appended.length > 0 ? 'rejected' : 'already-finished';
  }
}
