import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId, DuplicateEventIdError } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { ApplyPublisherCallback, CallbackOutcome } from './apply-publisher-callback.command';
import { callbackTarget, commandFor } from './publisher-callback';

/** Event ids derive from (publisher, webhook-id), so a redelivered or re-run callback appends nothing new. */
@CommandHandler(ApplyPublisherCallback)
export class ApplyPublisherCallbackHandler implements ICommandHandler<ApplyPublisherCallback> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ publisherId, webhookId, callback, signedAt, metadata }: ApplyPublisherCallback): Promise<CallbackOutcome> {
    try {
      const result = await this.executor.execute({
        stream: subscriptionStream(callback.subscriptionId),
        decider: subscriptionDecider,
        access: callbackTarget(publisherId, callback.subscriptionId),
        commands: commandFor(callback, signedAt),
        metadata,
        eventId: (index) => derivedId('callback', publisherId, webhookId, index),
      });
      return result.appended.length > 0 ? 'applied' : 'no-change';
    } catch (error) {
      if (error instanceof DuplicateEventIdError) return 'already-applied';
      throw error;
    }
  }
}
