import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderErrors, orderStream, subscriptionStream } from '@mfh/domain';
import { orderDecider, subscriptionDecider } from '@mfh/domain/deciders';
import { EventStore, loadState } from '@mfh/event-store';
import { orderOfPartner } from '../../access/tenancy';
import { ActivationLinks } from '../../activation/activation-links';
import { ActivationLinkResult, GetActivationLinks } from './get-activation-links.query';

@QueryHandler(GetActivationLinks)
export class GetActivationLinksHandler implements IQueryHandler<GetActivationLinks> {
  constructor(
    private readonly store: EventStore,
    private readonly links: ActivationLinks,
  ) {}

  async execute({ partnerId, customerId, orderId, lineItemNumber }: GetActivationLinks): Promise<ActivationLinkResult> {
    const order = orderOfPartner(partnerId, customerId)((await loadState(this.store, orderStream(orderId), orderDecider)).state);
    const item = order.lineItems.find((i) => i.lineItemNumber === lineItemNumber);
    if (!item) throw OrderErrors.lineItemNotFound(orderId, lineItemNumber);
    const { state } = await loadState(this.store, subscriptionStream(item.subscriptionId), subscriptionDecider);
    return { lineItemNumber, uri: state.status === 'none' ? null : await this.links.of(state) };
  }
}
