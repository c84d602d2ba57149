import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { subscriptionStream, type SubscriptionCommand } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { derivedId } from '@mfh/event-store';
import { CommandExecutor } from '../../command-executor';
import { BillingOutcome, StartBilling } from './start-billing.command';

/** However often asked, billing starts once: the decider waits for both conditions, and the event id is fixed. */
@CommandHandler(StartBilling)
export class StartBillingHandler implements ICommandHandler<StartBilling> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ subscriptionId, metadata }: StartBilling): Promise<BillingOutcome> {
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now): SubscriptionCommand => ({ type: 'StartBilling', data: { now } }),
      metadata,
      // One id for the one BillingStarted a subscription may ever have: a second append is a no-op.
      eventId: (index) => derivedId(subscriptionId, 'billing-started', index),
    });
    if (result.appended.length > 0) return 'started';
    switch (result.state.status) {
      case 'active':
        return 'already-started';
      case 'pending':
        return 'waiting-for-the-other-condition';
      default:
        return 'not-billable';
    }
  }
}
