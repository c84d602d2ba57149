import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { type SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { TimerFired } from '../../test-clocks/timer-fired';
import { RenewalOutcome, RenewSubscription } from './renew-subscription.command';

/** Ids derive from the term, so however often a term's renewal runs, it renews (or ends) the subscription once. */
@CommandHandler(RenewSubscription)
export class RenewSubscriptionHandler implements ICommandHandler<RenewSubscription> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, termEnd, metadata, dueAt }: RenewSubscription): Promise<TimerFired<RenewalOutcome>> {
    const operationId = derivedId(subscriptionId, termEnd, 'renewal');
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'RenewSubscription', data: { operationId, now, termEnd } }),
      metadata,
      at: dueAt,
      eventId: (index) => derivedId(subscriptionId, termEnd, 'renewal-event', index),
    });
    const [event] = result.appended;
    const outcome = event?.type === 'SubscriptionRenewed' ? 'renewed' : event?.type === 'SubscriptionExpired' ? 'expired' : 'nothing-to-do';
    return { outcome, position: result.position };
  }
}
