import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { randomUUID } from 'node:crypto';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { catalogPlansOf } from '../../catalog-plans';
import { CommandExecutor } from '../../command-executor';
import { ChangeSaasSubscription } from './change-saas-subscription.command';
import { WaitingOperationResult, waitingOperationResult } from './waiting-operation';

@CommandHandler(ChangeSaasSubscription)
export class ChangeSaasSubscriptionHandler implements ICommandHandler<ChangeSaasSubscription> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly catalog: Catalog,
  ) {}

  async execute({ publisherId, subscriptionId, planId, quantity, metadata }: ChangeSaasSubscription): Promise<WaitingOperationResult> {
    const access = subscriptionOfPublisher(publisherId);
    const operationId = randomUUID();
    const result = await this.executor.execute({
      stream: subscriptionStream(subscriptionId),
      decider: subscriptionDecider,
      access,
      commands: (state, now): SubscriptionCommand => ({
        type: 'ChangeSubscription',
        data: { planId, quantity, plans: catalogPlansOf(this.catalog, access(state).offerId), operationId, requestedBy: 'Publisher', now },
      }),
      metadata,
    });
    return waitingOperationResult(access(result.state), result);
  }
}
