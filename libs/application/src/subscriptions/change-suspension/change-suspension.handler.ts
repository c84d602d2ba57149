import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@mfh/config';
import { type SubscriptionCommand, SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { SubscriptionResult, subscriptionResult } from '../subscription-result';
import { ChangeSuspension } from './change-suspension.command';

@CommandHandler(ChangeSuspension)
export class ChangeSuspensionHandler implements ICommandHandler<ChangeSuspension> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly config: AppConfig,
  ) {}

  async execute({ subscriptionId, change, metadata }: ChangeSuspension): Promise<SubscriptionResult> {
    const command = (now: string): SubscriptionCommand =>
      'suspend' in change
        ? { type: 'SuspendSubscription', data: { reasons: change.suspend, requestedBy: 'System', operationId: randomUUID(), graceMs: this.config.SUSPENSION_GRACE, now } }
        : { type: 'RequestReinstatement', data: { requestedBy: 'System', operationId: randomUUID(), now } };
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      commands: (_state, now) => command(now),
      metadata,
    });
    if (result.state.status === 'none') throw SubscriptionErrors.notFound();
    return subscriptionResult(result.state, result);
  }
}
