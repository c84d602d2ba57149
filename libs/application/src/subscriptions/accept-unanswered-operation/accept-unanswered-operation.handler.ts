import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { AcceptUnansweredOperation, AutoAcceptOutcome } from './accept-unanswered-operation.command';

/** An operation the publisher answered meanwhile (or that ended with the subscription) is left as it is. */
@CommandHandler(AcceptUnansweredOperation)
export class AcceptUnansweredOperationHandler implements ICommandHandler<AcceptUnansweredOperation> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, operationId, metadata }: AcceptUnansweredOperation): Promise<AutoAcceptOutcome> {
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: { type: 'AcceptOperation', data: { operationId, now: metadata.occurredAt, answeredBy: 'Timeout' } },
      metadata,
      eventId: (index) => derivedId(operationId, 'auto-accepted', index),
    });
    return result.appended.length > 0 ? 'accepted' : 'already-finished';
  }
}
