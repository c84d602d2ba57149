import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SubscriptionErrors, subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { OperationView, operationView } from '@mfh/read-models';
import { subscriptionOfPartner } from '../../access/tenancy';
import { GetOperation } from './get-operation.query';

@QueryHandler(GetOperation)
export class GetOperationHandler implements IQueryHandler<GetOperation> {
  constructor(private readonly store: EventStore) {}

  async execute({ partnerId, customerId, subscriptionId, operationId }: GetOperation): Promise<OperationView> {
    const { state } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    const operation = subscriptionOfPartner(partnerId, customerId)(state).operations.find((op) => op.id === operationId);
    if (!operation) throw SubscriptionErrors.operationNotFound();
    return operationView(operation);
  }
}
