import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { customerStream } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { CustomerView, customerView } from '@mfh/read-models';
import { customerOfPartner } from '../../access/tenancy';
import { GetCustomer } from './get-customer.query';

@QueryHandler(GetCustomer)
export class GetCustomerHandler implements IQueryHandler<GetCustomer> {
  constructor(private readonly store: EventStore) {}

  async execute({ partnerId, customerId }: GetCustomer): Promise<CustomerView> {
    const { state } = await loadState(this.store, customerStream(customerId), customerDecider);
    const customer = customerOfPartner(partnerId)(state);
    return customerView({ key: customer.id, ...customer });
  }
}
