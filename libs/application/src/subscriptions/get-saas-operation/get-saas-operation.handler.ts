import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { SaasOperation, saasOperationView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { GetSaasOperation } from './get-saas-operation.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(GetSaasOperation)
export class GetSaasOperationHandler implements IQueryHandler<GetSaasOperation> {
  constructor(private readonly states: StreamStates) {}

  async execute({ publisherId, subscriptionId, operationId }: GetSaasOperation): Promise<SaasOperation> {
    const { state } = await this.states.current(subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPublisher(publisherId)(state);
    const operation = subscription.operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return saasOperationView(subscription, operation);
  }
}
