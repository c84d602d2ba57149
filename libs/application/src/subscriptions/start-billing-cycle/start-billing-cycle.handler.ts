import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { BillingCycleOutcome, StartBillingCycle } from './start-billing-cycle.command';

/** Ids derive from the cycle, so however often a cycle's timer fires, the cycle starts (and is charged) once. */
@CommandHandler(StartBillingCycle)
export class StartBillingCycleHandler implements ICommandHandler<StartBillingCycle> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, cycleStart, metadata, dueAt }: StartBillingCycle): Promise<TimerFired<BillingCycleOutcome>> {
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'StartBillingCycle', data: { cycleStart, now } }),
      metadata,
      at: dueAt,
      eventId: (index) => derivedId(subscriptionId, cycleStart, 'billing-cycle', index),
    });
    return { outcome: result.appended.length > 0 ? 'started' : 'nothing-to-do', position: result.position };
  }
}
