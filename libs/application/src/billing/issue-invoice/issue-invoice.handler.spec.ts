import { loadConfig } from '@mfh/config';
import { chargeLineId, invoiceIdOf, type InvoiceLine, invoiceStream } from '@mfh/domain';
import { derivedId, InMemoryEventStore, JsonObject, ReadStreamOptions, RecordedEvent } from '@mfh/event-store';
import { invoiceLinesHash } from '@mfh/read-models';
import { invoiceLine, refusal, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { CommandExecutor } from '../../command-executor';
import { IssueInvoice } from './issue-invoice.command';
import { IssueInvoiceHandler } from './issue-invoice.handler';

/** The March 2025 period of partner-1 closes an hour after the month's last instant. */
const DUE = '2025-04-01T01:00:00.000Z';

/** The in-memory log, with a hook that runs once after the next read of a stream: another writer getting in between. */
class InterleavedStore extends InMemoryEventStore {
  afterRead: (() => Promise<void>) | null = null;

  override async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await super.readStream(streamId, options);
    const hook = this.afterRead;
    this.afterRead = null;
    await hook?.();
    return events;
  }
}

describe('IssueInvoice', () => {
  let store: InterleavedStore;
  let handler: IssueInvoiceHandler;
  const config = loadConfig({ INVOICE_CLOSE_DELAY: '3600000' });

  beforeEach(() => {
    store = new InterleavedStore();
    handler = new IssueInvoiceHandler(store, new CommandExecutor(store), config);
  });

  const line = (n: number, overrides: Partial<InvoiceLine> = {}): InvoiceLine => {
    const referenceId = `5f0c2a41-2b7e-4c1d-9e3a-${String(n).padStart(12, '0')}`;
    return invoiceLine({ referenceId, id: chargeLineId(referenceId, 0), amount: 1000 * n, ...overrides });
  };
  /** Lines as the charger appends them: each event's id derived from its line's. */
  const charged = async (lines: readonly InvoiceLine[], testClockId?: string) => {
    const metadata = { ...requestMetadata('2025-03-10T09:05:00.000Z', 'charger'), ...(testClockId ? { testClockId } : {}) };
    await store.appendToStream(
      invoiceStream(lines[0].invoiceId),
      lines.map((l) => ({ id: derivedId(l.id), type: 'ChargeRecorded', data: l as unknown as JsonObject, metadata: metadata as unknown as JsonObject })),
    );
  };
  const issue = (invoiceId: string, now = DUE, dueAt?: string) => handler.execute(new IssueInvoice(invoiceId, requestMetadata(now, 'invoices'), dueAt));
  const stored = (invoiceId: string) => store.readStream(invoiceStream(invoiceId));

  it('issues the period once it is due, dated at its due time, with the hash and total of every line', async () => {
    const lines = [line(1), line(2, { amount: -500 })];
    await charged(lines);
    const fired = await issue(lines[0].invoiceId, '2025-04-03T08:00:00.000Z');

    const events = await stored(lines[0].invoiceId);
    expect(fired).toEqual({ outcome: 'issued', position: events[2].position });
    expect(events[2]).toMatchObject({
      id: derivedId('partner-1-2025-03-USD', 'issued', 0),
      type: 'InvoiceIssued',
      data: {
        invoiceId: 'partner-1-2025-03-USD',
        partnerId: 'partner-1',
        testClockId: null,
        invoiceDate: DUE,
        periodStart: '2025-03-01',
        periodEnd: '2025-03-31',
        currency: 'USD',
        totalCharges: '5.00',
        lineCount: 2,
        linesHash: invoiceLinesHash(lines),
      },
      metadata: { occurredAt: DUE, actor: 'invoices' },
    });
  });

  it('issues once: run again, it appends nothing', async () => {
    await charged([line(1)]);
    await issue('partner-1-2025-03-USD');
    expect(await issue('partner-1-2025-03-USD')).toEqual({ outcome: 'nothing-to-do', position: null });
    expect(await stored('partner-1-2025-03-USD')).toHaveLength(2);
  });

  it('does nothing before the delay after the month has passed, nor for a period without lines', async () => {
    await charged([line(1)]);
    expect((await issue('partner-1-2025-03-USD', '2025-04-01T00:59:59.999Z')).outcome).toBe('nothing-to-do');
    expect(await stored('partner-1-2025-03-USD')).toHaveLength(1);
    expect(await issue('partner-1-2025-02-USD')).toEqual({ outcome: 'nothing-to-do', position: null });
    expect(await stored('partner-1-2025-02-USD')).toEqual([]);
  });

  it('hashes again when a charge lands between the hash and the decision, and issues it with that line too', async () => {
    const first = line(1);
    const late = line(2);
    await charged([first]);
    store.afterRead = () => charged([late]);

    expect((await issue(first.invoiceId)).outcome).toBe('issued');
    expect((await stored(first.invoiceId)).map((e) => e.type)).toEqual(['ChargeRecorded', 'ChargeRecorded', 'InvoiceIssued']);
    expect((await stored(first.invoiceId))[2].data).toMatchObject({ lineCount: 2, totalCharges: '30.00', linesHash: invoiceLinesHash([first, late]) });
  });

  it('gives up with invoice-changed when charges keep landing, so that its job tries again later', async () => {
    await charged([line(1)]);
    let n = 1;
    const keepCharging = async () => {
      await charged([line(++n)]);
      store.afterRead = keepCharging;
    };
    store.afterRead = keepCharging;

    expect(await refusal(issue('partner-1-2025-03-USD'))).toMatchObject({ code: 'invoice-changed', kind: 'conflict' });
    store.afterRead = null;
    expect((await stored('partner-1-2025-03-USD')).every((e) => e.type === 'ChargeRecorded')).toBe(true);
  });

  it('fired by a test clock advance, is dated at the clock’s due time and names the clock', async () => {
    const testClockId = randomUUID();
    const invoiceId = invoiceIdOf({ partnerId: 'partner-1', month: '2025-03', currency: 'USD', testClockId });
    await charged([line(1, { invoiceId, testClockId })], testClockId);

    // Its metadata carries the wall time the advance ran at; the due time is the clock's.
    expect(await issue(invoiceId, '2030-01-01T00:00:00.000Z', '2025-03-31T23:00:00.000Z')).toEqual({ outcome: 'nothing-to-do', position: null });
    expect((await issue(invoiceId, '2030-01-01T00:00:00.000Z', DUE)).outcome).toBe('issued');
    expect((await stored(invoiceId)).at(-1)).toMatchObject({
      type: 'InvoiceIssued',
      data: { invoiceId, testClockId, invoiceDate: DUE },
      metadata: { occurredAt: DUE, testClockId },
    });
  });
});
