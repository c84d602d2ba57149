import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { SaasOperation, saasOperationView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { ListSaasOperations } from './list-saas-operations.query';

@QueryHandler(ListSaasOperations)
export class ListSaasOperationsHandler implements IQueryHandler<ListSaasOperations> {
  constructor(private readonly store: EventStore) {}

  async execute({ publisherId, subscriptionId }: ListSaasOperations): Promise<SaasOperation[]> {
    const { state } = await loadState(this.store, subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPublisher(publisherId)(state);
    return subscription.operations.filter((op) => op.status === 'InProgress').map((op) => saasOperationView(subscription, op));
  }
}
