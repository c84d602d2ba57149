import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream, type SubscriptionCommand } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { AcceptUnansweredOperation, AutoAcceptOutcome } from './accept-unanswered-operation.command';

/** An operation the publisher answered meanwhile (or that ended with the subscription) is left as it is. */
@CommandHandler(AcceptUnansweredOperation)
export class AcceptUnansweredOperationHandler implements ICommandHandler<AcceptUnansweredOperation> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, operationId, metadata, dueAt }: AcceptUnansweredOperation): Promise<TimerFired<AutoAcceptOutcome>> {
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'AcceptOperation', data: { operationId, now, answeredBy: 'Timeout' } }),
      metadata,
      at: dueAt,
      eventId: (index) => derivedId(operationId, 'auto-accepted', index),
    });
    return { outcome: result.appended.length > 0 ? 'accepted' : 'already-finished', position: result.position };
  }
}
