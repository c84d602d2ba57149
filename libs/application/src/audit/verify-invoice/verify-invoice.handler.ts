import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { EventStore } from '@mfh/event-store';
import { SubscriptionsRepository } from '@mfh/read-models';
import { AuditErrors } from '../audit.errors';
import type { InvoiceVerification } from './invoice-audit';
import { InvoiceAuditor } from './invoice-auditor';
import { VerifyInvoice } from './verify-invoice.query';

@QueryHandler(VerifyInvoice)
export class VerifyInvoiceHandler implements IQueryHandler<VerifyInvoice> {
  constructor(
    private readonly store: EventStore,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  async execute({ invoiceId }: VerifyInvoice): Promise<InvoiceVerification> {
    const result = await new InvoiceAuditor(this.store, this.subscriptions).verify(invoiceId);
    if (!result) throw AuditErrors.invoiceNotFound(invoiceId);
    return result;
  }
}
