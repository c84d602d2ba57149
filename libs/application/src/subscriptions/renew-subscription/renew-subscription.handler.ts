import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { RenewalOutcome, RenewSubscription } from './renew-subscription.command';

/** Ids derive from the term, so however often a term's renewal runs, it renews (or ends) the subscription once. */
@CommandHandler(RenewSubscription)
export class RenewSubscriptionHandler implements ICommandHandler<RenewSubscription> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, termEnd, metadata }: RenewSubscription): Promise<RenewalOutcome> {
    const operationId = derivedId(subscriptionId, termEnd, 'renewal');
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: { type: 'RenewSubscription', data: { operationId, now: metadata.occurredAt, termEnd } },
      metadata,
      eventId: (index) => derivedId(subscriptionId, termEnd, 'renewal-event', index),
    });
    const [event] = result.appended;
    if (event?.type === 'SubscriptionRenewed') return 'renewed';
    if (event?.type === 'SubscriptionExpired') return 'expired';
    return 'nothing-to-do';
  }
}
