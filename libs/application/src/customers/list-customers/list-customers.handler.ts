import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CustomersRepository, CustomerView, Page } from '@mfh/read-models';
import { ListCustomers } from './list-customers.query';

@QueryHandler(ListCustomers)
export class ListCustomersHandler implements IQueryHandler<ListCustomers> {
  constructor(private readonly customers: CustomersRepository) {}

  execute({ partnerId, page }: ListCustomers): Promise<Page<CustomerView>> {
    return this.customers.listForPartner(partnerId, page);
  }
}
