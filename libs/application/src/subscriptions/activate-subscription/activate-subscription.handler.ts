import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { CommandExecutor } from '../../command-executor';
import type { SubscriptionResult } from '../subscription-result';
import { ActivateSubscription } from './activate-subscription.command';

@CommandHandler(ActivateSubscription)
export class ActivateSubscriptionHandler implements ICommandHandler<ActivateSubscription> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly catalog: Catalog,
  ) {}

  async execute({ publisherId, subscriptionId, planId, quantity, metadata }: ActivateSubscription): Promise<SubscriptionResult> {
    const access = subscriptionOfPublisher(publisherId);
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      access,
      commands: (state): SubscriptionCommand => {
        const { offerId, planId: current } = access(state);
        // A plan withdrawn from the catalog keeps asking for the quantity, the safer reading.
        const pricedPerSeat = this.catalog.plan(offerId, current)?.isPricePerSeat ?? true;
        return { type: 'ConfirmFulfillment', data: { planId, quantity, pricedPerSeat } };
      },
      metadata,
    });
    return { subscription: access(result.state), revision: result.revision, startedOperationId: null };
  }
}
