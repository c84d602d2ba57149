import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { customerStream } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { OrdersRepository, OrderView, Page } from '@mfh/read-models';
import { customerOfPartner } from '../../access/tenancy';
import { ListOrders } from './list-orders.query';

@QueryHandler(ListOrders)
export class ListOrdersHandler implements IQueryHandler<ListOrders> {
  constructor(
    private readonly store: EventStore,
    private readonly orders: OrdersRepository,
  ) {}

  async execute({ partnerId, customerId, page }: ListOrders): Promise<Page<OrderView>> {
    // From the customer's stream, not the read model: a customer created a moment ago is already there.
    customerOfPartner(partnerId)((await loadState(this.store, customerStream(customerId), customerDecider)).state);
    return this.orders.listForCustomer(partnerId, customerId, page);
  }
}
