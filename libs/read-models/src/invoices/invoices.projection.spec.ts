import { chargeLineId, type InvoiceEvent, type InvoiceLine, invoiceStream } from '@mfh/domain';
import { JsonObject, RecordedEvent } from '@mfh/event-store';
import { createHash } from 'node:crypto';
import { invoiceLine } from '@mfh/testing';
import { foldBatch } from '../projections/projection';
import { invoiceLinesHash, invoiceLineView } from './invoice-line.view';
import type { InvoiceLineRow, InvoiceRow } from './invoice.row';
import { invoicesProjection } from './invoices.projection';

const MARCH = 'partner-1-2025-03-USD';
const ISSUED_AT = '2025-04-01T01:00:00.000Z';

const line = (n: number, overrides: Partial<InvoiceLine> = {}): InvoiceLine => {
  const referenceId = `5f0c2a41-2b7e-4c1d-9e3a-${String(n).padStart(12, '0')}`;
  return invoiceLine({ referenceId, id: chargeLineId(referenceId, 0), ...overrides });
};
const charged = (l: InvoiceLine): InvoiceEvent => ({ type: 'ChargeRecorded', data: l });
const issued = (lines: readonly InvoiceLine[], invoiceId = MARCH): InvoiceEvent => ({
  type: 'InvoiceIssued',
  data: {
    invoiceId,
    partnerId: 'partner-1',
    testClockId: null,
    invoiceDate: ISSUED_AT,
    periodStart: '2025-03-01',
    periodEnd: '2025-03-31',
    currency: 'USD',
    totalCharges: '0.00',
    lineCount: lines.length,
    linesHash: invoiceLinesHash(lines),
  },
});

function recorded(events: readonly InvoiceEvent[], invoiceId = MARCH): RecordedEvent[] {
  return events.map((event, revision) => ({
    id: `10000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
    streamId: invoiceStream(invoiceId),
    revision,
    position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
    type: event.type,
    data: event.data as unknown as JsonObject,
    metadata: { occurredAt: ISSUED_AT },
    recordedAt: new Date('2030-01-01T00:00:00Z'),
    hash: 'h',
    previousHash: null,
  }));
}

/**
 * Folds the events in batches as the runner does: after each batch the changed rows are saved (their
 * new lines kept) and loaded again without lines. Returns the row and every line saved, in order.
 */
function fold(events: readonly RecordedEvent[], batch = events.length): { row: Omit<InvoiceRow, 'newLines'> | undefined; lines: InvoiceLineRow[] } {
  const rows = new Map<string, InvoiceRow>();
  const saved = new Map<string, InvoiceLineRow>();
  for (let i = 0; i < events.length; i += batch) {
    for (const row of foldBatch(invoicesProjection, rows, events.slice(i, i + batch))) {
      for (const l of row.newLines) saved.set(l.id, l);
      rows.set(row.key, { ...row, newLines: [] });
    }
  }
  const row = [...rows.values()][0];
  return { row: row && (({ newLines: _saved, ...rest }) => rest)(row), lines: [...saved.values()].sort((a, b) => a.revision - b.revision) };
}

describe('invoices projection', () => {
  const lines = [line(1), line(2, { chargeType: 'removeQuantity', quantity: 2, effectiveUnitPrice: 1045, amount: -2090 }), line(3, { amount: 600 })];

  it('opens the period with its first line: partner, currency and the month of the line’s invoice', () => {
    expect(fold(recorded([charged(lines[0])]))).toEqual({
      row: {
        key: MARCH,
        revision: 0,
        partnerId: 'partner-1',
        testClockId: null,
        currency: 'USD',
        periodStart: '2025-03-01',
        periodEnd: '2025-03-31',
        status: 'open',
        invoiceDate: null,
        total: 12000,
        lineCount: 1,
        linesHash: null,
      },
      lines: [{ id: '10000000-0000-4000-8000-000000000000', revision: 0, json: JSON.stringify(invoiceLineView(lines[0])) }],
    });
  });

  it('adds each line in stream order, counting and summing them, a credit negative', () => {
    const { row, lines: saved } = fold(recorded(lines.map(charged)));
    expect(row).toMatchObject({ revision: 2, status: 'open', lineCount: 3, total: 12000 - 2090 + 600 });
    expect(saved.map((l) => [l.revision, JSON.parse(l.json).referenceId, JSON.parse(l.json).subtotal])).toEqual([
      [0, lines[0].referenceId, '120.00'],
      [1, lines[1].referenceId, '-20.90'],
      [2, lines[2].referenceId, '6.00'],
    ]);
  });

  it('keeps each line as the exact bytes of a reconciliation file line: the lines hash over them is InvoiceIssued’s', () => {
    const { lines: saved } = fold(recorded([...lines.map(charged), issued(lines)]));
    const hash = createHash('sha256');
    for (const l of saved) hash.update(`${l.json}\n`);
    expect(hash.digest('hex')).toBe(invoiceLinesHash(lines));
  });

  it('marks the period issued with its date and hash', () => {
    expect(fold(recorded([...lines.map(charged), issued(lines)])).row).toMatchObject({
      revision: 3,
      status: 'issued',
      invoiceDate: ISSUED_AT,
      lineCount: 3,
      linesHash: invoiceLinesHash(lines),
      total: 10510,
    });
  });

  it('passes by a line after the issue, as the decider’s evolve does', () => {
    const { row, lines: saved } = fold(recorded([charged(lines[0]), issued([lines[0]]), charged(lines[1])]));
    expect(row).toMatchObject({ revision: 2, status: 'issued', lineCount: 1, total: 12000 });
    expect(saved).toHaveLength(1);
  });

  it('gives the same rows and lines in any batch size, and replayed', () => {
    const events = recorded([...lines.map(charged), issued(lines)]);
    const whole = fold(events);
    for (const batch of [1, 2, 3]) expect(fold(events, batch)).toEqual(whole);
    expect(fold([...events, ...events])).toEqual(whole);
    expect(fold([...events.slice(0, 2), ...events])).toEqual(whole);
  });

  it('names the test clock of a sandbox period', () => {
    const invoiceId = 'partner-1-7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f-2025-03-USD';
    const onClock = line(1, { invoiceId, testClockId: '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f' });
    expect(fold(recorded([charged(onClock)], invoiceId)).row).toMatchObject({
      key: invoiceId,
      testClockId: '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f',
      periodStart: '2025-03-01',
    });
  });

  it('touches no row for an event of another stream', () => {
    const [event] = recorded([charged(lines[0])]);
    expect(invoicesProjection.keyOf({ ...event, streamId: 'subscription-1' } as never)).toBeNull();
  });
});
