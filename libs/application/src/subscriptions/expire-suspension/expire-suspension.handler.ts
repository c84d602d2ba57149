import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { ExpireSuspension, SuspensionGraceOutcome } from './expire-suspension.command';

/** Ids derive from the suspension, so however often its grace timer fires, the subscription is cancelled once. */
@CommandHandler(ExpireSuspension)
export class ExpireSuspensionHandler implements ICommandHandler<ExpireSuspension> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, suspensionOperationId, metadata, dueAt }: ExpireSuspension): Promise<TimerFired<SuspensionGraceOutcome>> {
    const operationId = derivedId(suspensionOperationId, 'grace-expired');
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'ExpireSuspension', data: { suspensionOperationId, operationId, now } }),
      metadata,
      at: dueAt,
      eventId: (index) => derivedId(suspensionOperationId, 'grace-expired-event', index),
    });
    return { outcome: result.appended.length > 0 ? 'cancelled' : 'nothing-to-do', position: result.position };
  }
}
