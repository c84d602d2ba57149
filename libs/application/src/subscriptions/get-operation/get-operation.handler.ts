import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { OperationView, operationView } from '@mfh/read-models';
import { subscriptionOfPartner } from '../../access/tenancy';
import { GetOperation } from './get-operation.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(GetOperation)
export class GetOperationHandler implements IQueryHandler<GetOperation> {
  constructor(private readonly states: StreamStates) {}

  async execute({ partnerId, customerId, subscriptionId, operationId }: GetOperation): Promise<OperationView> {
    const { state } = await this.states.current(subscriptionStream(subscriptionId), subscriptionDecider);
    const operation = subscriptionOfPartner(partnerId, customerId)(state).operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return operationView(operation);
  }
}
