import { Catalog } from '@mfh/config';
import {
  customerStream,
  evolveSubscription,
  ExistingSubscription,
  initialSubscriptionState,
  InvoiceLine,
  invoiceIdOf,
  isSubscriptionEvent,
  monthOf,
  RatableEvent,
  rate,
} from '@mfh/domain';
import { customerDecider } from '@mfh/domain/deciders';
import { EventStore, loadState, RecordedEvent } from '@mfh/event-store';
import { ratableEvent, testClockOfEvent } from '../ratable-event';

type CustomerNames = Pick<InvoiceLine, 'customerName' | 'customerDomainName'>;

/** The invoice lines of one batch's causes: rated from each subscription's log, named as things stood at the cause. */
export class InvoiceLines {
  /** Many subscriptions of a batch belong to one customer: its stream is read once. */
  private readonly customers = new Map<string, Promise<CustomerNames>>();

  constructor(
    private readonly store: EventStore,
    private readonly catalog: Catalog,
    /** The batch's causes by event id. */
    private readonly causes: ReadonlyMap<string, RecordedEvent>,
  ) {}

  /** The lines the batch's causes on one subscription stream charge, in stream order; on the cause's month's billing period. */
  async of(streamId: string): Promise<InvoiceLine[]> {
    const last = Math.max(...[...this.causes.values()].filter((cause) => cause.streamId === streamId).map((cause) => cause.revision));
    let state = initialSubscriptionState();
    const history: RatableEvent[] = [];
    const asOf = new Map<string, ExistingSubscription>();
    for (const event of await this.store.readStream(streamId, { maxCount: last + 1 })) {
      if (!isSubscriptionEvent(event)) continue;
      state = evolveSubscription(state, event);
      history.push(ratableEvent(event));
      if (this.causes.has(event.id) && state.status !== 'none') asOf.set(event.id, state);
    }
    const lines = rate(history).filter((line) => asOf.has(line.referenceId));
    if (lines.length === 0) return [];
    const customer = await this.customer(lines[0].customerId);
    return lines.map((line) => {
      const subscription = asOf.get(line.referenceId)!;
      const testClockId = testClockOfEvent(this.causes.get(line.referenceId)!);
      return {
        ...line,
        ...customer,
        subscriptionDescription: subscription.friendlyName,
        orderDate: subscription.purchasedAt,
        skuName: this.catalog.plan(line.offerId, line.planId)?.name ?? line.planId,
        productName: subscription.offerName,
        publisherName: subscription.publisherName,
        invoiceId: invoiceIdOf({ partnerId: line.partnerId, month: monthOf(line.occurredAt), currency: line.currency, testClockId }),
        testClockId,
      };
    });
  }

  private customer(customerId: string): Promise<CustomerNames> {
    if (!this.customers.has(customerId)) {
      this.customers.set(
        customerId,
        loadState(this.store, customerStream(customerId), customerDecider).then(({ state }) =>
          state.status === 'active' ? { customerName: state.companyName, customerDomainName: state.domain ?? '' } : { customerName: '', customerDomainName: '' },
        ),
      );
    }
    return this.customers.get(customerId)!;
  }
}
