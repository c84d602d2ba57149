import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { customerStream } from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { BoundedCache } from '@mfh/event-store';
import { Page, partnerSubscriptionRowView, SubscriptionRow, SubscriptionsRepository } from '@mfh/read-models';
import { customerOfPartner } from '../../access/tenancy';
import { ActivationLinks } from '../../activation/activation-links';
import { ListCustomerSubscriptions } from './list-customer-subscriptions.query';
import { StreamStates } from '../../stream-states';

/** Rows kept between requests, with their views. */
const KEPT_ROWS = 10_000;

/** A row at one version, and its view as last shown with the activation link it was shown with. */
interface Kept {
  version: string;
  row: SubscriptionRow;
  shown?: { link: string | null; view: string };
}

@QueryHandler(ListCustomerSubscriptions)
export class ListCustomerSubscriptionsHandler implements IQueryHandler<ListCustomerSubscriptions> {
  /**
   * A view is a function of its row and link alone: a row still at the version kept is neither read
   * again, nor built, nor serialised (most of a page's time, here and in PostgreSQL).
   */
  private readonly kept = new BoundedCache<string, Kept>(KEPT_ROWS);

  constructor(
    private readonly states: StreamStates,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly links: ActivationLinks,
  ) {}

  async execute({ partnerId, customerId, page }: ListCustomerSubscriptions): Promise<Page<string>> {
    // From the customer's stream, not the read model: a customer created a moment ago is already there.
    customerOfPartner(partnerId)((await this.states.current(customerStream(customerId), customerDecider)).state);
    const listed = await this.subscriptions.listForCustomer(partnerId, customerId, page);
    const rows = new Map<string, Kept>();
    const unknown: string[] = [];
    for (const { id, version } of listed.items) {
      const held = this.kept.get(id);
      if (held?.version === version) rows.set(id, held);
      else unknown.push(id);
    }
    if (unknown.length > 0) {
      for (const fresh of await this.subscriptions.versionedRows(unknown)) {
        rows.set(fresh.row.key, fresh);
        this.kept.set(fresh.row.key, fresh);
      }
    }
    // A row gone since the page was read (a rebuild between the two reads) is left out.
    const onPage = listed.items.flatMap(({ id }) => rows.get(id) ?? []);
    return { ...listed, items: await Promise.all(onPage.map((entry) => this.view(entry))) };
  }

  private async view(kept: Kept): Promise<string> {
    const { row } = kept;
    const link = row.status === 'pending' ? await this.links.of({ id: row.key, publisherId: row.publisherId, status: row.status }) : null;
    if (kept.shown?.link !== link) kept.shown = { link, view: JSON.stringify(partnerSubscriptionRowView(row, link)) };
    return kept.shown.view;
  }
}
