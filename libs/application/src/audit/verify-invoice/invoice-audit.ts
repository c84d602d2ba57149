import { BillingPeriodKey, ChargeLine, fromCents, InvoiceLine, invoiceIdOf, monthOf } from '@mfh/domain';
import type { ChainVerification, JsonObject, RecordedEvent } from '@mfh/event-store';
import { invoiceLinesHash } from '@mfh/read-models';

/** A line as re-rating the subscription's log gives it, with the test clock its cause was decided on. */
export type RatedLine = ChargeLine & { testClockId: string | null };

/** A re-rated line as the invoice it belongs on should hold it. */
export type ExpectedLine = RatedLine & { invoiceId: string };

/** A ChargeRecorded of the invoice stream: its data as stored, which an edit of the log may have changed in any way. */
export interface StoredCharge {
  revision: number;
  data: JsonObject;
}

/** Every field rating derives, and the period: what is compared. The names (customer, sku, …) are descriptive and are not. */
const COMPARED: Record<keyof ExpectedLine, true> = {
  id: true,
  referenceId: true,
  index: true,
  chargeType: true,
  occurredAt: true,
  subscriptionId: true,
  partnerId: true,
  customerId: true,
  orderId: true,
  offerId: true,
  publisherId: true,
  planId: true,
  resellerMpnId: true,
  termDuration: true,
  billingCycle: true,
  termAndBillingCycle: true,
  termStartDate: true,
  termEndDate: true,
  billingCycleStartDate: true,
  billingCycleEndDate: true,
  chargeStartDate: true,
  chargeEndDate: true,
  quantity: true,
  unitPrice: true,
  effectiveUnitPrice: true,
  amount: true,
  currency: true,
  reversesLineId: true,
  invoiceId: true,
  testClockId: true,
};
export const COMPARED_FIELDS = Object.keys(COMPARED) as (keyof ExpectedLine)[];
const MONEY: ReadonlySet<string> = new Set(['unitPrice', 'effectiveUnitPrice', 'amount']);

/** A compared line with its money as two-decimal strings. A stored line shows what it holds, whatever an edit made of it. */
export type AuditedLine = Omit<ExpectedLine, 'unitPrice' | 'effectiveUnitPrice' | 'amount'> & { unitPrice: string; effectiveUnitPrice: string; amount: string };

export function auditedLine(line: ExpectedLine | JsonObject): AuditedLine {
  const view: Record<string, unknown> = {};
  for (const field of COMPARED_FIELDS) {
    const value = (line as Record<string, unknown>)[field];
    view[field] = MONEY.has(field) && Number.isInteger(value) ? fromCents(value as number) : value;
  }
  return view as AuditedLine;
}

export const DIFFERENCE_REASONS = ['missing', 'unexpected', 'altered', 'duplicate'] as const;
export type DifferenceReason = (typeof DIFFERENCE_REASONS)[number];

/**
 * One line on which the invoice and re-rating disagree: `missing` (expected, not stored: `stored`
 * null), `unexpected` (stored, not expected here: `expected` null), `altered` (both, `fields`
 * differ), or `duplicate` (stored again, on this invoice or on an earlier one: `chargedOn` says which).
 */
export interface LineDifference {
  /** Null when a stored line's own value is not a string any more. */
  referenceId: string | null;
  lineId: string | null;
  reason: DifferenceReason;
  fields: string[];
  expected: AuditedLine | null;
  stored: AuditedLine | null;
  /** The revision of the stored line's ChargeRecorded in the invoice stream. */
  storedRevision: number | null;
  chargedOn: string | null;
}

/** A line of this invoice's period that is on a later invoice instead, its own period being issued when it was charged. */
export interface MovedLine {
  lineId: string;
  referenceId: string;
  invoiceId: string;
}

/** What InvoiceIssued says of the lines before it, against what they are. */
export interface IssuedCheck {
  valid: boolean;
  invoiceDate: unknown;
  lineCount: { stated: unknown; actual: number };
  totalCharges: { stated: unknown; actual: string };
  linesHash: { stated: unknown; actual: string };
  /** ChargeRecorded after InvoiceIssued: an issued invoice takes no more lines. */
  linesAfterIssue: number;
}

export interface InvoiceVerification {
  invoiceId: string;
  status: 'open' | 'issued';
  /** The chain is intact, every line is as re-rating expects, and InvoiceIssued (if any) matches the lines. */
  valid: boolean;
  /** Lines stored on the invoice. */
  lines: number;
  /** Lines re-rating puts on it. */
  expectedLines: number;
  totalCharges: string;
  expectedTotalCharges: string;
  /** Subscriptions whose logs were re-rated. */
  subscriptions: number;
  differences: LineDifference[];
  movedToLaterInvoices: MovedLine[];
  chain: ChainVerification;
  issued: IssuedCheck | null;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A partner id as the catalog allows it, an optional test clock, the month, the currency. */
const INVOICE_ID = new RegExp(`^([a-z0-9][a-z0-9-]{0,63}?)(?:-(${UUID}))?-(\\d{4}-(?:0[1-9]|1[0-2]))-([A-Z]{3})$`);

/** The billing period an invoice id names (SPEC §12, §14: a test clock's id is a UUID); null when it names none. */
export function billingPeriodOf(invoiceId: string): BillingPeriodKey | null {
  const match = INVOICE_ID.exec(invoiceId);
  if (!match) return null;
  const [, partnerId, testClockId, month, currency] = match;
  const key = { partnerId, month, currency, testClockId: testClockId ?? null };
  return invoiceIdOf(key) === invoiceId ? key : null;
}

/** The invoice a re-rated line is charged on when its period is still open: its cause's month. */
export const homeInvoiceOf = (line: RatedLine): string =>
  invoiceIdOf({ partnerId: line.partnerId, month: monthOf(line.occurredAt), currency: line.currency, testClockId: line.testClockId });

export const lineIdOf = (charge: StoredCharge): string | null => (typeof charge.data.id === 'string' ? charge.data.id : null);

const amountOf = (line: { amount?: unknown }): number => (Number.isInteger(line.amount) ? (line.amount as number) : 0);
export const totalOfLines = (lines: readonly { amount?: unknown }[]): string => fromCents(lines.reduce((sum, line) => sum + amountOf(line), 0));

/**
 * Which line ids were charged where, as far as the auditor had to look: on the invoices before this
 * one for lines of earlier periods stored here, on those after it for lines of this period missing here.
 */
export interface ChargedElsewhere {
  /** A line of an earlier period stored on this invoice, and the earlier invoice that holds it too. */
  earlier: ReadonlyMap<string, string>;
  /** Lines of earlier periods stored on this invoice although a period between was still open: they belong there. */
  unmoved: ReadonlySet<string>;
  /** A line of this period missing here, and the later invoice that holds it. */
  later: ReadonlyMap<string, string>;
}

/** The re-rated lines that concern this invoice: those of its period, and those of an earlier period of the same account stored on it. */
export function linesOfInvoice(
  invoiceId: string,
  month: string,
  rated: readonly RatedLine[],
  stored: readonly StoredCharge[],
): { ofPeriod: RatedLine[]; missing: RatedLine[]; fromEarlier: RatedLine[] } {
  const storedIds = new Set(stored.map(lineIdOf));
  const ofPeriod = rated.filter((line) => homeInvoiceOf(line) === invoiceId);
  const fromEarlier = rated.filter(
    (line) =>
      storedIds.has(line.id) &&
      monthOf(line.occurredAt) < month &&
      invoiceIdOf({ partnerId: line.partnerId, month, currency: line.currency, testClockId: line.testClockId }) === invoiceId,
  );
  return { ofPeriod, missing: ofPeriod.filter((line) => !storedIds.has(line.id)), fromEarlier };
}

/**
 * Compares the stored lines with the re-rated ones. A line belongs on the first invoice, from its
 * cause's month on, that holds it: a line of this period is expected here unless it is missing and
 * on a later invoice (this period was issued when it was charged); a line of an earlier period stored
 * here is expected here when every period from its own on was issued and none of them holds it; any
 * other line is not expected here.
 */
export function reconcile(
  invoiceId: string,
  month: string,
  rated: readonly RatedLine[],
  stored: readonly StoredCharge[],
  elsewhere: ChargedElsewhere,
): { expected: ExpectedLine[]; differences: LineDifference[]; moved: MovedLine[] } {
  const { ofPeriod, missing, fromEarlier } = linesOfInvoice(invoiceId, month, rated, stored);
  const movedIds = new Set(missing.filter((line) => elsewhere.later.has(line.id)).map((line) => line.id));
  const moved = ofPeriod
    .filter((line) => movedIds.has(line.id))
    .map((line) => ({ lineId: line.id, referenceId: line.referenceId, invoiceId: elsewhere.later.get(line.id)! }));
  const expected = [...ofPeriod.filter((line) => !movedIds.has(line.id)), ...fromEarlier.filter((line) => !elsewhere.earlier.has(line.id) && !elsewhere.unmoved.has(line.id))].map(
    (line): ExpectedLine => ({ ...line, invoiceId }),
  );
  return { expected, differences: differencesOf(expected, stored, elsewhere.earlier), moved };
}

function differencesOf(expected: readonly ExpectedLine[], stored: readonly StoredCharge[], chargedEarlier: ReadonlyMap<string, string>): LineDifference[] {
  const byId = new Map(expected.map((line) => [line.id, line]));
  const seen = new Set<string>();
  const differences: LineDifference[] = [];
  for (const charge of stored) {
    const id = lineIdOf(charge);
    const line = id === null ? undefined : byId.get(id);
    const referenceId = typeof charge.data.referenceId === 'string' ? charge.data.referenceId : null;
    const base = { referenceId, lineId: id, stored: auditedLine(charge.data), storedRevision: charge.revision };
    if (id !== null && (seen.has(id) || chargedEarlier.has(id))) {
      differences.push({ ...base, reason: 'duplicate', fields: [], expected: line ? auditedLine(line) : null, chargedOn: chargedEarlier.get(id) ?? null });
    } else if (!line) {
      differences.push({ ...base, reason: 'unexpected', fields: [], expected: null, chargedOn: null });
    } else {
      const fields = COMPARED_FIELDS.filter((field) => charge.data[field] !== line[field]);
      if (fields.length > 0) differences.push({ ...base, reason: 'altered', fields, expected: auditedLine(line), chargedOn: null });
    }
    if (id !== null) seen.add(id);
  }
  for (const line of expected) {
    if (seen.has(line.id)) continue;
    differences.push({
      referenceId: line.referenceId,
      lineId: line.id,
      reason: 'missing',
      fields: [],
      expected: auditedLine(line),
      stored: null,
      storedRevision: null,
      chargedOn: null,
    });
  }
  return differences;
}

/**
 * InvoiceIssued against the lines recorded before it: their count, their sum and the hash of their
 * views (what a reconciliation file of the invoice hashes to). Null while the invoice is open.
 */
export function issuedCheckOf(events: readonly RecordedEvent[]): IssuedCheck | null {
  const at = events.findIndex((event) => event.type === 'InvoiceIssued');
  if (at < 0) return null;
  const issued = events[at].data;
  const before = events.slice(0, at).filter((event) => event.type === 'ChargeRecorded').map((event) => event.data);
  const actual = {
    lineCount: before.length,
    totalCharges: totalOfLines(before),
    linesHash: invoiceLinesHash(before as unknown as InvoiceLine[]),
  };
  const linesAfterIssue = events.slice(at + 1).filter((event) => event.type === 'ChargeRecorded').length;
  return {
    valid:
      issued.lineCount === actual.lineCount && issued.totalCharges === actual.totalCharges && issued.linesHash === actual.linesHash && linesAfterIssue === 0,
    invoiceDate: issued.invoiceDate,
    lineCount: { stated: issued.lineCount, actual: actual.lineCount },
    totalCharges: { stated: issued.totalCharges, actual: actual.totalCharges },
    linesHash: { stated: issued.linesHash, actual: actual.linesHash },
    linesAfterIssue,
  };
}
