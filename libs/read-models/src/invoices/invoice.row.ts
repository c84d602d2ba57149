import { fromCents } from '@mfh/domain';
import type { ProjectionRow } from '../projections/projection';

/** A line as the invoice's table keeps it: its place in the invoice stream and its wire view's exact JSON. */
export interface InvoiceLineRow {
  /** The ChargeRecorded event's id. */
  readonly id: string;
  /** The event's revision in the invoice stream: the line's order. */
  readonly revision: number;
  /** `JSON.stringify(invoiceLineView(line))`: a reconciliation file's line, without its newline. */
  readonly json: string;
}

/** One billing period of a partner (SPEC §12), open while it takes lines, issued once closed; `key` is the invoice id. */
export interface InvoiceRow extends ProjectionRow {
  readonly partnerId: string;
  readonly testClockId: string | null;
  readonly currency: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly status: 'open' | 'issued';
  /** The business time it was issued at; null while open. */
  readonly invoiceDate: string | null;
  /** The sum of its lines, in cents. */
  readonly total: number;
  readonly lineCount: number;
  /** InvoiceIssued.linesHash; null while open. */
  readonly linesHash: string | null;
  /**
   * The lines the events of this batch added, saved with the row. The row never holds the lines it
   * had before (a load gives none), so an invoice of any size costs one row to fold.
   */
  readonly newLines: readonly InvoiceLineRow[];
}

/** An issued invoice in Partner Center's shape (SPEC §12); `isTest` only on a test clock's. */
export interface InvoiceView {
  id: string;
  invoiceDate: string;
  billingPeriodStartDate: string;
  billingPeriodEndDate: string;
  totalCharges: string;
  currencyCode: string;
  invoiceType: 'OneTime';
  documentType: 'Invoice';
  status: 'issued';
  invoiceDetails: InvoiceDetailView[];
  isTest?: true;
}

export interface InvoiceDetailView {
  invoiceLineItemType: 'billinglineitems';
  billingProvider: 'onetime';
  links: { self: { uri: string; method: 'GET' } };
}

/** Where an invoice's lines are read (the API's path). */
export const invoiceLinesPath = (invoiceId: string): string =>
  `/v1/invoices/${encodeURIComponent(invoiceId)}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems`;

export const invoiceView = (row: Omit<InvoiceRow, 'newLines'> & { invoiceDate: string }): InvoiceView => ({
  id: row.key,
  invoiceDate: row.invoiceDate,
  billingPeriodStartDate: row.periodStart,
  billingPeriodEndDate: row.periodEnd,
  totalCharges: fromCents(row.total),
  currencyCode: row.currency,
  invoiceType: 'OneTime',
  documentType: 'Invoice',
  status: 'issued',
  invoiceDetails: [{ invoiceLineItemType: 'billinglineitems', billingProvider: 'onetime', links: { self: { uri: invoiceLinesPath(row.key), method: 'GET' } } }],
  ...(row.testClockId === null ? {} : { isTest: true }),
});
