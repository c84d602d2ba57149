import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { customerStream } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { Page, partnerSubscriptionRowView, PartnerSubscriptionView, SubscriptionRow, SubscriptionsRepository } from '@mfh/read-models';
import { customerOfPartner } from '../../access/tenancy';
import { ActivationLinks } from '../../activation/activation-links';
import { ListCustomerSubscriptions } from './list-customer-subscriptions.query';
import { StreamStates } from '../../stream-states';

@QueryHandler(ListCustomerSubscriptions)
export class ListCustomerSubscriptionsHandler implements IQueryHandler<ListCustomerSubscriptions> {
  constructor(
    private readonly states: StreamStates,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly links: ActivationLinks,
  ) {}

  async execute({ partnerId, customerId, page }: ListCustomerSubscriptions): Promise<Page<PartnerSubscriptionView>> {
    // From the customer's stream, not the read model: a customer created a moment ago is already there.
    customerOfPartner(partnerId)((await this.states.current(customerStream(customerId), customerDecider)).state);
    const rows = await this.subscriptions.listForCustomer(partnerId, customerId, page);
    return { ...rows, items: await Promise.all(rows.items.map((row) => this.view(row))) };
  }

  private async view(row: SubscriptionRow): Promise<PartnerSubscriptionView> {
    const link = row.status === 'pending' ? await this.links.of({ id: row.key, publisherId: row.publisherId, status: row.status }) : null;
    return partnerSubscriptionRowView(row, link);
  }
}
