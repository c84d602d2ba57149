import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { subscriptionStream } from '@mfh/domain';
import { subscriptionDecider } from '@mfh/domain/deciders';
import { SaasOperation, saasOperationView } from '@mfh/read-models';
import { subscriptionOfPublisher } from '../../access/tenancy';
import { ListSaasOperations } from './list-saas-operations.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(ListSaasOperations)
export class ListSaasOperationsHandler implements IQueryHandler<ListSaasOperations> {
  constructor(private readonly states: StreamStates) {}

  async execute({ publisherId, subscriptionId }: ListSaasOperations): Promise<SaasOperation[]> {
    const { state } = await this.states.current(subscriptionStream(subscriptionId), subscriptionDecider);
    const subscription = subscriptionOfPublisher(publisherId)(state);
    return subscription.operations.filter((op) => op.status === 'InProgress').map((op) => saasOperationView(subscription, op));
  }
}
