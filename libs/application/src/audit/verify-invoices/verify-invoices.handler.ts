import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { invoiceIdOfStream } from '@mfh/domain';
import { EventStore, logPages } from '@mfh/event-store';
import { SubscriptionsRepository } from '@mfh/read-models';
import { billingPeriodOf, InvoiceVerification } from '../verify-invoice/invoice-audit';
import { InvoiceAuditor } from '../verify-invoice/invoice-auditor';
import { InvoicesVerification, VerifyInvoices } from './verify-invoices.query';

@QueryHandler(VerifyInvoices)
export class VerifyInvoicesHandler implements IQueryHandler<VerifyInvoices> {
  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async execute({ pageSize, onProgress }: VerifyInvoices): Promise<InvoicesVerification> {
    // The invoices are the billing-period streams of the log itself, found alike on every event store,
    // whatever a read model missed.
    const ids = new Set<string>();
    let events = 0;
    for await (const page of logPages(this.store, { after: null, pageSize })) {
      for (const event of page) {
        const invoiceId = invoiceIdOfStream(event.streamId);
        if (invoiceId !== null) ids.add(invoiceId);
      }
      events += page.length;
      onProgress?.({ eventsRead: events, invoicesVerified: 0, invoices: null });
    }
    const auditor = new InvoiceAuditor(this.store, this.subscriptions);
    const invoices: InvoiceVerification[] = [];
    const unrecognized: string[] = [];
    // In id order, a partner's invoices come one after another and share the re-rated subscriptions.
    for (const invoiceId of [...ids].sort()) {
      const verified = billingPeriodOf(invoiceId) ? await auditor.verify(invoiceId) : null;
      if (verified) invoices.push(verified);
      else unrecognized.push(invoiceId);
      onProgress?.({ eventsRead: events, invoicesVerified: invoices.length + unrecognized.length, invoices: ids.size });
    }
    return { invoices, unrecognized, events };
  }
}
