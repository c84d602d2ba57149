import { Command } from '@nestjs/cqrs';
import type { EventMetadata } from '@mfh/event-store';
import type { TimerFired } from '../../test-clocks/timer-fired';

export type IssueInvoiceOutcome = 'issued' | 'nothing-to-do';

/**
 * Closes the billing period once its month has ended and INVOICE_CLOSE_DELAY has passed: InvoiceIssued
 * with the hash of every line, dated at that due time. An invoice already issued, or not yet due, is left as it is.
 */
export class IssueInvoice extends Command<TimerFired<IssueInvoiceOutcome>> {
  constructor(
    readonly invoiceId: string,
    readonly metadata: EventMetadata,
    /** A test clock's advance fires it at its due time, in the clock's time; the wall clock's timer fires it now. */
    readonly dueAt?: string,
  ) {
    super();
  }
}
