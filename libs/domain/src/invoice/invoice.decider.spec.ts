import { DeciderSpecification, invoiceLine } from '@mfh/testing';
import { chargeLineId } from '../billing/charge-line';
import {
  ChargeRecorded,
  InvoiceIssued,
  invoiceCloseDueAt,
  invoiceDecider,
  invoiceIdOf,
  invoiceIdOfStream,
  invoiceStream,
  IssueInvoice,
  nextMonth,
  periodDatesOf,
  RECENT_LINE_IDS,
  RecordCharges,
} from './invoice.decider';

const spec = DeciderSpecification.for(invoiceDecider);
const MARCH = 'partner-1-2025-03-USD';

const record = (...lines: ReturnType<typeof invoiceLine>[]): RecordCharges => ({ type: 'RecordCharges', data: { lines } });
const recorded = (line: ReturnType<typeof invoiceLine>): ChargeRecorded => ({ type: 'ChargeRecorded', data: line });
const issue = (lineCount: number): IssueInvoice => ({ type: 'IssueInvoice', data: { invoiceDate: '2025-04-01T01:00:00.000Z', lineCount, linesHash: 'ab'.repeat(32) } });
const credit = invoiceLine({ referenceId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d', chargeType: 'removeQuantity', quantity: 2, effectiveUnitPrice: 1045, amount: -2090 });
credit.id = chargeLineId(credit.referenceId, 0);

describe('billing periods', () => {
  it('names a period by partner, month and currency, and a test clock’s apart', () => {
    expect(invoiceIdOf({ partnerId: 'partner-1', month: '2025-03', currency: 'USD', testClockId: null })).toBe(MARCH);
    expect(invoiceIdOf({ partnerId: 'partner-1', month: '2025-03', currency: 'USD', testClockId: 'c1' })).toBe('partner-1-c1-2025-03-USD');
    expect(invoiceIdOfStream(invoiceStream(MARCH))).toBe(MARCH);
    expect(invoiceIdOfStream('subscription-1')).toBeNull();
  });

  it('spans calendar months, February of a leap year included', () => {
    expect(periodDatesOf('2024-02')).toEqual({ periodStart: '2024-02-01', periodEnd: '2024-02-29' });
    expect(periodDatesOf('2025-02')).toEqual({ periodStart: '2025-02-01', periodEnd: '2025-02-28' });
    expect(periodDatesOf('2025-12')).toEqual({ periodStart: '2025-12-01', periodEnd: '2025-12-31' });
    expect(nextMonth('2025-12')).toBe('2026-01');
  });

  it('closes the delay after the month’s last instant', () => {
    expect(invoiceCloseDueAt('2025-03-31', 3_600_000)).toBe('2025-04-01T01:00:00.000Z');
  });
});

describe('RecordCharges', () => {
  it('opens the period with its first lines', () => {
    spec.when(record(invoiceLine(), credit)).then([recorded(invoiceLine()), recorded(credit)]);
  });

  it('leaves out lines it already holds, so a redelivered batch charges nothing twice', () => {
    spec.given([recorded(invoiceLine())]).when(record(invoiceLine(), credit)).then([recorded(credit)]);
    spec.given([recorded(invoiceLine()), recorded(credit)]).when(record(invoiceLine(), credit)).thenNothing();
  });

  it('remembers only the latest line ids', () => {
    const many = Array.from({ length: RECENT_LINE_IDS + 1 }, (_, i) => recorded(invoiceLine({ id: `line-${i}` })));
    const state = spec.given(many).state();
    expect(state.status === 'open' && state.recentLineIds.length).toBe(RECENT_LINE_IDS);
    expect(state.status === 'open' && state.lineCount).toBe(RECENT_LINE_IDS + 1);
  });

  it('refuses lines once the invoice is issued: a late charge goes on the open period', () => {
    spec.given([recorded(invoiceLine()), issued(1, '120.00')]).when(record(credit)).thenThrows('invoice-issued', 'conflict');
  });

  it('refuses a line of another period', () => {
    spec.given([recorded(invoiceLine())]).when(record(invoiceLine({ id: 'x', invoiceId: 'partner-1-2025-04-USD' }))).thenThrows('invoice-wrong-period');
  });
});

describe('IssueInvoice', () => {
  it('issues the lines it hashed, with their total', () => {
    spec.given([recorded(invoiceLine()), recorded(credit)]).when(issue(2)).then([issued(2, '99.10')]);
  });

  it('refuses when a line arrived after the hash was taken', () => {
    spec.given([recorded(invoiceLine()), recorded(credit)]).when(issue(1)).thenThrows('invoice-changed', 'conflict');
  });

  it('does nothing for a period without lines, or one already issued', () => {
    spec.when(issue(0)).thenNothing();
    spec.given([recorded(invoiceLine()), issued(1, '120.00')]).when(issue(1)).thenNothing();
  });

  it('keeps the test clock of its lines', () => {
    const line = invoiceLine({ invoiceId: 'partner-1-c1-2025-03-USD', testClockId: 'c1' });
    expect(invoiceDecider.testClockOf!(spec.given([recorded(line)]).state())).toBe('c1');
  });
});

function issued(lineCount: number, totalCharges: string): InvoiceIssued {
  return {
    type: 'InvoiceIssued',
    data: {
      invoiceId: MARCH,
      partnerId: 'partner-1',
      testClockId: null,
      invoiceDate: '2025-04-01T01:00:00.000Z',
      periodStart: '2025-03-01',
      periodEnd: '2025-03-31',
      currency: 'USD',
      totalCharges,
      lineCount,
      linesHash: 'ab'.repeat(32),
    },
  };
}
