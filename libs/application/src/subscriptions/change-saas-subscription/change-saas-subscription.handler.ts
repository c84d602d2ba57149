import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog } from '@mfh/config';
import { CatalogPlan, SubscriptionCommand, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { randomUUID } from 'node:crypto';
import { subscriptionOfPublisher } from '../../access/tenancy';
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
      commands: (state): SubscriptionCommand => ({
        type: 'ChangeSubscription',
        data: { planId, quantity, plans: this.plansOf(access(state).offerId), operationId, requestedBy: 'Publisher', now: metadata.occurredAt },
      }),
      metadata,
    });
    return waitingOperationResult(access(result.state), result);
  }

  private plansOf(offerId: string): CatalogPlan[] {
    return (this.catalog.offer(offerId)?.plans ?? []).map(({ id, minQuantity, maxQuantity, isPrivate, isPricePerSeat }) => ({
      id,
      minQuantity,
      maxQuantity,
      isPrivate,
      isPricePerSeat,
    }));
  }
}
