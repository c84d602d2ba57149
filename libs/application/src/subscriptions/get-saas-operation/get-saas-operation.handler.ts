import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { SaasOperation, saasOperationView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { GetSaasOperation } from './get-saas-operation.query';

@QueryHandler(GetSaasOperation)
export class GetSaasOperationHandler implements IQueryHandler<GetSaasOperation> {
  constructor(private readonly store: EventStore) {}

  async execute({ publisherId, subscriptionId, operationId }: GetSaasOperation): Promise<SaasOperation> {
    const { state } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPublisher(publisherId)(state);
    const operation = subscription.operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return saasOperationView(subscription, operation);
  }
}
