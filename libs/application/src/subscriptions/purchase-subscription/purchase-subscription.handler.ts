import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import type { SubscriptionResult } from '../subscription-result';
import { PurchaseSubscription } from './purchase-subscription.command';

@CommandHandler(PurchaseSubscription)
export class PurchaseSubscriptionHandler implements ICommandHandler<PurchaseSubscription> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ purchase, metadata }: PurchaseSubscription): Promise<SubscriptionResult> {
    const { orderId, lineItemNumber } = purchase;
    const result = await this.executor.execute({
      stream: subscriptionStream(purchase.subscriptionId),
      decider: subscriptionDecider,
      commands: { type: 'PurchaseSubscription', data: purchase },
      testClockId: purchase.testClockId,
      metadata,
      // Derived from the line item, so the API and the worker completing the same order store one purchase.
      eventId: (index) => derivedId(orderId, lineItemNumber, 'purchase', index),
    });
    if (result.state.status === 'none') throw SubscriptionErrors.notFound();
    return { subscription: result.state, revision: result.revision, startedOperationId: null };
  }
}
