import type { Command, Decider, DomainEvent } from '../decider';
import { DomainError } from '../errors';
import { fromCents } from '../shared/money';
import { addDays, addMonths } from '../shared/time';
import type { Cents } from '../billing/billing-cycles';
import type { ChargeLine } from '../billing/charge-line';

// --- billing periods -----------------------------------------------------------------------------

/** One partner's charges of one UTC calendar month (of its test clock's time, for a sandbox customer) in one currency. */
export interface BillingPeriodKey {
  partnerId: string;
  /** `YYYY-MM`. */
  month: string;
  currency: string;
  testClockId: string | null;
}

/** `<partnerId>-<YYYY-MM>-<currency>`, or `<partnerId>-<clockId>-<YYYY-MM>-<currency>` on a test clock (SPEC §12, §14). */
export const invoiceIdOf = ({ partnerId, month, currency, testClockId }: BillingPeriodKey): string =>
  [partnerId, ...(testClockId ? [testClockId] : []), month, currency].join('-');

const INVOICE_STREAM = 'invoice-';

/** The billing-period stream of an invoice. */
export const invoiceStream = (invoiceId: string): string => `${INVOICE_STREAM}${invoiceId}`;

/** The invoice id of a billing-period stream, or null for any other stream. */
export const invoiceIdOfStream = (streamId: string): string | null => (streamId.startsWith(INVOICE_STREAM) ? streamId.slice(INVOICE_STREAM.length) : null);

/** The month (`YYYY-MM`) an instant or date falls in, UTC. */
export const monthOf = (isoOrDate: string): string => isoOrDate.slice(0, 7);

/** A month's first and last day, inclusive. */
export function periodDatesOf(month: string): { periodStart: string; periodEnd: string } {
  const periodStart = `${month}-01`;
  return { periodStart, periodEnd: addDays(addMonths(periodStart, 1), -1) };
}

/** The month after `month`. */
export const nextMonth = (month: string): string => monthOf(addMonths(`${month}-01`, 1));

/** When an invoice may be issued: `delayMs` after its period's last instant (the start of the next month). */
export const invoiceCloseDueAt = (periodEnd: string, delayMs: number): string =>
  new Date(Date.parse(`${addDays(periodEnd, 1)}T00:00:00.000Z`) + delayMs).toISOString();

// --- events --------------------------------------------------------------------------------------

/** What a line says besides what rating derives: names as they stood when it was charged. */
export interface ChargeLineDescription {
  customerName: string;
  customerDomainName: string;
  /** The subscription's friendly name. */
  subscriptionDescription: string;
  orderDate: string;
  skuName: string;
  productName: string;
  publisherName: string;
}

/** One charge line on an invoice: the rated line (money in cents) and its names. */
export type InvoiceLine = ChargeLine & ChargeLineDescription & { invoiceId: string; testClockId: string | null };

export type ChargeRecorded = DomainEvent<'ChargeRecorded', InvoiceLine>;

export type InvoiceIssued = DomainEvent<
  'InvoiceIssued',
  {
    invoiceId: string;
    partnerId: string;
    testClockId: string | null;
    /** The business time it was issued at. */
    invoiceDate: string;
    periodStart: string;
    periodEnd: string;
    currency: string;
    /** Two decimals, the sum of every line. */
    totalCharges: string;
    lineCount: number;
    /** SHA-256 (hex) over the lines in stream order, as the application canonicalises them. */
    linesHash: string;
  }
>;

export type InvoiceEvent = ChargeRecorded | InvoiceIssued;

// --- commands ------------------------------------------------------------------------------------

/** Puts lines on the period; lines it already holds are left out, so a redelivered batch charges nothing twice. */
export type RecordCharges = Command<'RecordCharges', { lines: readonly InvoiceLine[] }>;
/** Closes the period: `lineCount` is how many lines `linesHash` covers, so a line recorded meanwhile is never left out. */
export type IssueInvoice = Command<'IssueInvoice', { invoiceDate: string; lineCount: number; linesHash: string }>;
export type InvoiceCommand = RecordCharges | IssueInvoice;

// --- state ---------------------------------------------------------------------------------------

/**
 * How many of the latest line ids the state remembers. A redelivery only ever repeats the charger's
 * last unacknowledged batch, which is far smaller, and these lines are at the stream's end.
 */
export const RECENT_LINE_IDS = 2_000;

export type InvoiceState =
  | { status: 'none' }
  | {
      status: 'open' | 'issued';
      invoiceId: string;
      partnerId: string;
      testClockId: string | null;
      currency: string;
      periodStart: string;
      periodEnd: string;
      lineCount: number;
      total: Cents;
      /** The latest line ids, oldest first, at most {@link RECENT_LINE_IDS}. */
      recentLineIds: readonly string[];
    };

export const InvoiceErrors = {
  issued: (invoiceId: string) => new DomainError('invoice-issued', 'conflict', `Invoice ${invoiceId} is issued; it takes no more lines.`),
  changed: (invoiceId: string) => new DomainError('invoice-changed', 'conflict', `Invoice ${invoiceId} got lines after they were hashed.`),
  wrongPeriod: (invoiceId: string, lineInvoiceId: string) =>
    new DomainError('invoice-wrong-period', 'validation', `A line for ${lineInvoiceId} cannot go on ${invoiceId}.`),
};

function recordCharges(state: InvoiceState, lines: readonly InvoiceLine[]): ChargeRecorded[] {
  if (lines.length === 0) return [];
  if (state.status === 'issued') throw InvoiceErrors.issued(state.invoiceId);
  const invoiceId = state.status === 'open' ? state.invoiceId : lines[0].invoiceId;
  const stray = lines.find((line) => line.invoiceId !== invoiceId);
  if (stray) throw InvoiceErrors.wrongPeriod(invoiceId, stray.invoiceId);
  const recorded = new Set(state.status === 'open' ? state.recentLineIds : []);
  return lines.filter((line) => !recorded.has(line.id)).map((line) => ({ type: 'ChargeRecorded', data: line }));
}

function issueInvoice(state: InvoiceState, command: IssueInvoice['data']): InvoiceIssued[] {
  if (state.status !== 'open') return [];
  if (state.lineCount !== command.lineCount) throw InvoiceErrors.changed(state.invoiceId);
  return [
    {
      type: 'InvoiceIssued',
      data: {
        invoiceId: state.invoiceId,
        partnerId: state.partnerId,
        testClockId: state.testClockId,
        invoiceDate: command.invoiceDate,
        periodStart: state.periodStart,
        periodEnd: state.periodEnd,
        currency: state.currency,
        totalCharges: fromCents(state.total),
        lineCount: state.lineCount,
        linesHash: command.linesHash,
      },
    },
  ];
}

function evolve(state: InvoiceState, event: InvoiceEvent): InvoiceState {
  switch (event.type) {
    case 'ChargeRecorded': {
      const line = event.data;
      if (state.status === 'issued') return state;
      if (state.status === 'none') {
        const { periodStart, periodEnd } = periodDatesOf(monthOfInvoice(line));
        return {
          status: 'open',
          invoiceId: line.invoiceId,
          partnerId: line.partnerId,
          testClockId: line.testClockId,
          currency: line.currency,
          periodStart,
          periodEnd,
          lineCount: 1,
          total: line.amount,
          recentLineIds: [line.id],
        };
      }
      const recent = state.recentLineIds.length >= RECENT_LINE_IDS ? state.recentLineIds.slice(1) : state.recentLineIds;
      return { ...state, lineCount: state.lineCount + 1, total: state.total + line.amount, recentLineIds: [...recent, line.id] };
    }
    case 'InvoiceIssued':
      return state.status === 'open' ? { ...state, status: 'issued' } : state;
    default:
      return state;
  }
}

/** The period a line was put on: the month in its invoice id (its cause's month, or a later one when that was issued first). */
export const monthOfInvoice = (line: InvoiceLine): string => /(\d{4}-\d{2})-[^-]+$/.exec(line.invoiceId)![1];

export const invoiceDecider: Decider<InvoiceState, InvoiceCommand, InvoiceEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'RecordCharges':
        return recordCharges(state, command.data.lines);
      case 'IssueInvoice':
        return issueInvoice(state, command.data);
    }
  },
  evolve,
  testClockOf: (state) => (state.status === 'none' ? null : state.testClockId),
};
