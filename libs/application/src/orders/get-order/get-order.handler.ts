import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { orderStream } from '@mfh/domain';
import { orderDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { OrderView, orderView } from '@mfh/read-models';
import { orderOfPartner } from '../../access/tenancy';
import { GetOrder } from './get-order.query';

@QueryHandler(GetOrder)
export class GetOrderHandler implements IQueryHandler<GetOrder> {
  constructor(private readonly store: EventStore) {}

  async execute({ partnerId, customerId, orderId }: GetOrder): Promise<OrderView> {
    const { state } = await loadState(this.store, orderStream(orderId), orderDecider);
    return orderView(orderOfPartner(partnerId, customerId)(state));
  }
}
