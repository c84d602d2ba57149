import { type InvoiceEvent, invoiceIdOfStream, monthOfInvoice, periodDatesOf } from '@mfh/domain';
import { eventsOfType } from '@mfh/event-store';
import type { GuardedEvent, Projection } from '../projections/projection';
import { invoiceLineView } from './invoice-line.view';
import type { InvoiceRow } from './invoice.row';
import { invoicesTable } from './invoices.repository';

export const invoiceRowEvents = eventsOfType<InvoiceEvent>()('ChargeRecorded', 'InvoiceIssued');
export type InvoiceRowEvent = GuardedEvent<typeof invoiceRowEvents>;

/** The invoice after `event`, as the invoice decider's evolve leaves it, with the event's line (if any) to be saved. */
export function evolveInvoiceRow(row: InvoiceRow | null, event: InvoiceRowEvent): InvoiceRow | null {
  const revision = event.revision;
  if (event.type === 'InvoiceIssued') {
    if (row === null || row.status === 'issued') return row && { ...row, revision };
    return { ...row, revision, status: 'issued', invoiceDate: event.data.invoiceDate, linesHash: event.data.linesHash };
  }
  const line = event.data;
  // The decider refuses lines once issued, and its evolve passes one by: so does the invoice here.
  if (row?.status === 'issued') return { ...row, revision };
  const added = { id: event.id, revision, json: JSON.stringify(invoiceLineView(line)) };
  if (row === null) {
    const { periodStart, periodEnd } = periodDatesOf(monthOfInvoice(line));
    return {
      key: invoiceIdOfStream(event.streamId)!,
      revision,
      partnerId: line.partnerId,
      testClockId: line.testClockId,
      currency: line.currency,
      periodStart,
      periodEnd,
      status: 'open',
      invoiceDate: null,
      total: line.amount,
      lineCount: 1,
      linesHash: null,
      newLines: [added],
    };
  }
  return { ...row, revision, total: row.total + line.amount, lineCount: row.lineCount + 1, newLines: [...row.newLines, added] };
}

/** Every billing period with its lines: the partner's invoices, unbilled lines and reconciliation files. */
export const invoicesProjection: Projection<InvoiceRow, InvoiceRowEvent> = {
  name: 'invoices',
  tables: ['invoices', 'invoice_lines'],
  canHandle: invoiceRowEvents,
  keyOf: (event) => invoiceIdOfStream(event.streamId),
  evolve: evolveInvoiceRow,
  load: invoicesTable.load,
  save: invoicesTable.save,
};
