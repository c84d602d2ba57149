import type { Clock } from '@mfh/application';
import { AppConfig } from '@mfh/config';
import { chargeLineId, invoiceIdOf, type InvoiceLine, invoiceStream } from '@mfh/domain';
import { derivedId, InMemoryEventStore, JsonObject } from '@mfh/event-store';
import { JOBS } from '@mfh/messaging';
import type { LogConsumer } from '@mfh/read-models';
import { invoiceLine, requestMetadata } from '@mfh/testing';
import { randomUUID } from 'node:crypto';
import { LogConsumers } from '../projections/log-consumers';
import { invoiceCloseReactor } from './invoice-close.reactor';

const NOW = new Date('2025-03-20T10:00:00.000Z');
const clock: Clock = { now: () => NOW };
const config = Object.assign(new AppConfig(), { INVOICE_CLOSE_DELAY: 3_600_000 });

describe('invoice close reactor', () => {
  let store: InMemoryEventStore;
  let consumer: LogConsumer;
  let added: { name: string; data: object; opts: { jobId?: string; delay?: number } }[];

  beforeEach(() => {
    store = new InMemoryEventStore();
    added = [];
    const queue = { addBulk: async (jobs: typeof added) => void added.push(...jobs) };
    consumer = invoiceCloseReactor.useFactory(queue, config, clock, new LogConsumers()) as LogConsumer;
  });

  const line = (testClockId: string | null = null): InvoiceLine => {
    const referenceId = randomUUID();
    const invoiceId = invoiceIdOf({ partnerId: 'partner-1', month: '2025-03', currency: 'USD', testClockId });
    return invoiceLine({ referenceId, id: chargeLineId(referenceId, 0), invoiceId, testClockId });
  };
  const charged = async (lines: readonly InvoiceLine[]) => {
    const metadata = { ...requestMetadata('2025-03-20T10:00:00.000Z', 'charger'), ...(lines[0].testClockId ? { testClockId: lines[0].testClockId } : {}) };
    await store.appendToStream(
      invoiceStream(lines[0].invoiceId),
      lines.map((l) => ({ id: derivedId(l.id), type: 'ChargeRecorded', data: l as unknown as JsonObject, metadata: metadata as unknown as JsonObject })),
    );
  };

  it('asks, at a period’s first line, for its close once its month and the delay are over', async () => {
    await charged([line(), line()]);
    await charged([line()]);
    const events = await store.readAll();
    await consumer.handle(null as never, events);
    expect(added).toEqual([
      {
        name: JOBS.issueInvoice,
        data: { invoiceId: 'partner-1-2025-03-USD', periodEnd: '2025-03-31', causationId: events[0].id, correlationId: expect.any(String) },
        opts: { jobId: events[0].id, delay: Date.parse('2025-04-01T01:00:00.000Z') - NOW.getTime() },
      },
    ]);
  });

  it('leaves a test clock’s period to the clock’s advances', async () => {
    await charged([line(randomUUID())]);
    await consumer.handle(null as never, await store.readAll());
    expect(added).toEqual([]);
  });
});
