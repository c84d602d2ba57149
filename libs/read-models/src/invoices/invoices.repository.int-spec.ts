import { chargeLineId, invoiceIdOf, type InvoiceLine, invoiceStream, monthOfInvoice, periodDatesOf } from '@mfh/domain';
import { createPgPool, derivedId, GlobalPosition, JsonObject, PostgresEventStore, runMigrations } from '@mfh/event-store';
import { catchUpPast, createTestSchema, invoiceLine, requestMetadata, TestSchema } from '@mfh/testing';
import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { encodeToken, InvalidContinuationTokenError, Page } from '../pagination';
import { CatchUpRunner } from '../projections/catch-up-runner';
import { projectionConsumer } from '../projections/projection';
import { readModelMigrations } from '../projections/read-models.migrations';
import { rebuildProjections } from '../rebuild/rebuild-projections';
import { invoiceLinesHash, invoiceLineView } from './invoice-line.view';
import { invoicesProjection } from './invoices.projection';
import { InvoicesRepository } from './invoices.repository';
import { ReconciliationExportsRepository, ReconciliationRequest } from './reconciliation-exports.repository';

const CLOCK = '7d1c5a2e-9b3f-4c6d-8e0a-1f2b3c4d5e6f';

describe('invoices read model (PostgreSQL)', () => {
  let schema: TestSchema;
  let store: PostgresEventStore;
  let pool: Pool;
  let runner: CatchUpRunner;
  let invoices: InvoicesRepository;
  let last: GlobalPosition | null = null;

  beforeAll(async () => {
    schema = await createTestSchema('invoices');
    store = await PostgresEventStore.connect({ url: schema.url, schema: schema.schema, max: 4 });
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 4 });
    await runMigrations(pool, schema.schema, 'read-models', readModelMigrations);
    // Small batches: an invoice's lines arrive over several of them.
    runner = new CatchUpRunner(store, pool, [projectionConsumer(invoicesProjection)], { batchSize: 3 });
    invoices = new InvoicesRepository(pool);
  });

  afterAll(async () => {
    await store.close();
    await pool.end();
    await schema.drop();
  });

  const project = () => catchUpPast(runner, pool, [invoicesProjection.name], last);

  /** `count` lines of a partner's period, appended as the charger does; returns them. */
  async function charge(partnerId: string, month: string, count: number, testClockId: string | null = null): Promise<InvoiceLine[]> {
    const invoiceId = invoiceIdOf({ partnerId, month, currency: 'USD', testClockId });
    const lines = Array.from({ length: count }, (_, i) => {
      const referenceId = randomUUID();
      // Names with characters JSON escapes, so that the stored text is the exact bytes and not a re-encoding.
      return invoiceLine({ referenceId, id: chargeLineId(referenceId, 0), invoiceId, partnerId, testClockId, amount: 100 * (i + 1), customerName: `Fabrikam "Ä" ${i}\u2028` });
    });
    const result = await store.appendToStream(
      invoiceStream(invoiceId),
      lines.map((l) => ({ id: derivedId(l.id), type: 'ChargeRecorded', data: l as unknown as JsonObject, metadata: { ...requestMetadata(`${month}-10T00:00:00.000Z`) } })),
    );
    last = result.position;
    return lines;
  }

  async function issue(lines: readonly InvoiceLine[], invoiceDate: string): Promise<void> {
    const [first] = lines;
    const result = await store.appendToStream(invoiceStream(first.invoiceId), [
      {
        id: randomUUID(),
        type: 'InvoiceIssued',
        data: {
          invoiceId: first.invoiceId,
          partnerId: first.partnerId,
          testClockId: first.testClockId,
          invoiceDate,
          ...periodDatesOf(monthOfInvoice(first)),
          currency: 'USD',
          totalCharges: '0.00',
          lineCount: lines.length,
          linesHash: invoiceLinesHash(lines),
        },
        metadata: { ...requestMetadata(invoiceDate) },
      },
    ]);
    last = result.position;
  }

  async function tables(): Promise<{ invoices: unknown[]; lines: unknown[] }> {
    return {
      invoices: (await pool.query('SELECT * FROM invoices ORDER BY id')).rows,
      lines: (await pool.query('SELECT * FROM invoice_lines ORDER BY id')).rows,
    };
  }

  let contosoMarch: InvoiceLine[];
  let contosoApril: InvoiceLine[];
  let onClock: InvoiceLine[];

  beforeAll(async () => {
    contosoMarch = await charge('contoso', '2026-03', 4);
    await charge('northwind', '2026-03', 2).then((lines) => issue(lines, '2026-04-01T01:00:00.000Z'));
    contosoMarch.push(...(await charge('contoso', '2026-03', 3)));
    await issue(contosoMarch, '2026-04-01T01:00:00.000Z');
    contosoApril = await charge('contoso', '2026-04', 2);
    await issue(contosoApril, '2026-05-01T01:00:00.000Z');
    await charge('contoso', '2026-05', 1);
    onClock = await charge('contoso', '2026-03', 2, CLOCK);
    await issue(onClock, '2026-04-01T01:00:00.000Z');
    await charge('contoso', '2026-04', 1, CLOCK);
    await project();
  });

  it('keeps one row per period, with its lines in stream order as their wire views’ exact JSON', async () => {
    expect(await invoices.find('contoso-2026-03-USD')).toEqual({
      key: 'contoso-2026-03-USD',
      revision: 7,
      partnerId: 'contoso',
      testClockId: null,
      currency: 'USD',
      periodStart: '2026-03-01',
      periodEnd: '2026-03-31',
      status: 'issued',
      invoiceDate: '2026-04-01T01:00:00.000Z',
      total: 100 + 200 + 300 + 400 + 100 + 200 + 300,
      lineCount: 7,
      linesHash: invoiceLinesHash(contosoMarch),
    });
    expect(await invoices.find('contoso-2026-05-USD')).toMatchObject({ status: 'open', invoiceDate: null, linesHash: null, lineCount: 1 });
    expect(await invoices.find('contoso-2026-06-USD')).toBeNull();

    const { rows } = await pool.query<{ revision: string; line: string }>("SELECT revision, line FROM invoice_lines WHERE invoice_id = 'contoso-2026-03-USD' ORDER BY revision");
    expect(rows.map((r) => Number(r.revision))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(rows.map((r) => r.line)).toEqual(contosoMarch.map((l) => JSON.stringify(invoiceLineView(l))));
    const hash = createHash('sha256');
    for (const r of rows) hash.update(`${r.line}\n`);
    expect(hash.digest('hex')).toBe(invoiceLinesHash(contosoMarch));
  });

  it('lists a partner’s issued invoices newest first, a page at a time; a test clock’s apart from the real ones', async () => {
    const first = await invoices.listIssued('contoso', null, { size: 1 });
    expect(first).toMatchObject({ totalCount: 2, items: [{ id: 'contoso-2026-04-USD', invoiceDate: '2026-05-01T01:00:00.000Z', totalCharges: '3.00' }] });
    const second = await invoices.listIssued('contoso', null, { size: 1, continuationToken: first.continuationToken });
    expect(second).toEqual({
      totalCount: 2,
      continuationToken: null,
      items: [
        {
          id: 'contoso-2026-03-USD',
          invoiceDate: '2026-04-01T01:00:00.000Z',
          billingPeriodStartDate: '2026-03-01',
          billingPeriodEndDate: '2026-03-31',
          totalCharges: '16.00',
          currencyCode: 'USD',
          invoiceType: 'OneTime',
          documentType: 'Invoice',
          status: 'issued',
          invoiceDetails: [
            {
              invoiceLineItemType: 'billinglineitems',
              billingProvider: 'onetime',
              links: { self: { uri: '/v1/invoices/contoso-2026-03-USD/lineitems?provider=onetime&invoicelineitemtype=billinglineitems', method: 'GET' } },
            },
          ],
        },
      ],
    });
    expect((await invoices.listIssued('contoso', CLOCK, { size: 10 })).items).toEqual([
      expect.objectContaining({ id: `contoso-${CLOCK}-2026-03-USD`, isTest: true, totalCharges: '3.00' }),
    ]);
    expect((await invoices.listIssued('northwind', null, { size: 10 })).items.map((i) => i.id)).toEqual(['northwind-2026-03-USD']);
    expect(await invoices.listIssued('fabrikam', null, { size: 10 })).toEqual({ totalCount: 0, items: [], continuationToken: null });
  });

  it('pages an invoice’s lines by revision, and refuses a token it did not write', async () => {
    const invoice = (await invoices.find('contoso-2026-03-USD'))!;
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: Awaited<ReturnType<InvoicesRepository['lines']>> = await invoices.lines(invoice, { size: 3, continuationToken: token });
      expect(page.totalCount).toBe(7);
      seen.push(...page.items.map((l) => l.referenceId));
      token = page.continuationToken;
    } while (token);
    expect(seen).toEqual(contosoMarch.map((l) => l.referenceId));

    for (const forged of ['garbage', Buffer.from('[-1]').toString('base64url'), Buffer.from('[1.5]').toString('base64url'), Buffer.from('["1"]').toString('base64url')]) {
      await expect(invoices.lines(invoice, { size: 3, continuationToken: forged })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
      await expect(invoices.lines(null, { size: 3, continuationToken: forged })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
      await expect(invoices.listIssued('contoso', null, { size: 3, continuationToken: forged })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
    }
    expect(await invoices.lines(null, { size: 3 })).toEqual({ items: [], totalCount: 0, continuationToken: null });
  });

  it('reads a page of a partner’s issued invoice in one query, and nothing of an open, missing or other partner’s one', async () => {
    const viaFind = await invoices.lineTexts(await invoices.find('contoso-2026-03-USD'), { size: 3 });
    const direct = (await invoices.issuedLineTexts('contoso', 'contoso-2026-03-USD', { size: 3 }))!;
    expect(direct).toEqual(viaFind);
    expect(direct.totalCount).toBe(7);
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: Page<string> = (await invoices.issuedLineTexts('contoso', 'contoso-2026-03-USD', { size: 3, continuationToken: token }))!;
      seen.push(...page.items.map((text) => (JSON.parse(text) as { referenceId: string }).referenceId));
      token = page.continuationToken;
    } while (token);
    expect(seen).toEqual(contosoMarch.map((l) => l.referenceId));
    expect((await invoices.issuedLineTexts('contoso', 'contoso-2026-03-USD', { size: 7 }))!.continuationToken).toBeNull();
    expect(await invoices.issuedLineTexts('contoso', 'contoso-2026-03-USD', { size: 3, continuationToken: encodeToken([1_000_000]) })).toEqual({
      items: [],
      totalCount: 7,
      continuationToken: null,
    });
    expect(await invoices.issuedLineTexts('northwind', 'contoso-2026-03-USD', { size: 3 })).toBeNull();
    expect(await invoices.issuedLineTexts('contoso', 'contoso-2026-05-USD', { size: 3 })).toBeNull();
    expect(await invoices.issuedLineTexts('contoso', 'contoso-2099-01-USD', { size: 3 })).toBeNull();
    await expect(invoices.issuedLineTexts('contoso', 'contoso-2026-03-USD', { size: 3, continuationToken: 'garbage' })).rejects.toBeInstanceOf(InvalidContinuationTokenError);
  });

  it('reads a range of lines a page per query', async () => {
    const pages = [];
    for await (const page of invoices.linePages('contoso-2026-03-USD', { afterRevision: 1, throughRevision: 5 }, 2)) pages.push(page.map((l) => l.revision));
    expect(pages).toEqual([[2, 3], [4, 5]]);
  });

  it('hashes a file’s bytes in PostgreSQL exactly as a reader of the file would, names outside ASCII included', async () => {
    const lines = await charge('litware', '2026-05', 5);
    // charge() names customers with a quote, an umlaut and U+2028: multi-byte UTF-8 and JSON escapes.
    await project();
    const invoiceId = lines[0].invoiceId;
    const bytes = (chunk: readonly InvoiceLine[]) => chunk.map((line) => `${JSON.stringify(invoiceLineView(line))}\n`).join('');
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const range = { afterRevision: -1, throughRevision: 4 };
    expect(await invoices.fileDigest(invoiceId, range, 3)).toEqual({ firstRevision: 0, lastRevision: 2, lineCount: 3, sha256: sha(bytes(lines.slice(0, 3))) });
    expect(await invoices.fileDigest(invoiceId, { ...range, afterRevision: 2 }, 3)).toEqual({ firstRevision: 3, lastRevision: 4, lineCount: 2, sha256: sha(bytes(lines.slice(3))) });
    expect(await invoices.fileDigest(invoiceId, { ...range, afterRevision: 4 }, 3)).toBeNull();
  });

  it('gives the open periods of a test clock due to close by a time, in the clock’s time', async () => {
    const april = `contoso-${CLOCK}-2026-04-USD`;
    expect(await invoices.closingOnTestClock(CLOCK, '2026-05-01T00:59:59.999Z', 3_600_000)).toEqual([]);
    expect(await invoices.closingOnTestClock(CLOCK, '2026-05-01T01:00:00.000Z', 3_600_000)).toEqual([
      { invoiceId: april, timer: { id: derivedId('timer', 'invoice-close', april), kind: 'invoice-close' }, dueAt: '2026-05-01T01:00:00.000Z' },
    ]);
    expect(await invoices.closingOnTestClock(CLOCK, '2026-05-01T00:00:00.000Z', 0)).toHaveLength(1);
    expect(await invoices.closingOnTestClock(randomUUID(), '2030-01-01T00:00:00.000Z', 0)).toEqual([]);
  });

  it('replayed from the beginning of the log, over its rows or into empty tables, leaves the same rows', async () => {
    const before = await tables();
    const replay = async () => {
      await pool.query("UPDATE projection_checkpoints SET position = '' WHERE name = 'invoices'");
      await project();
    };
    await replay();
    expect(await tables()).toEqual(before);
    await pool.query('DELETE FROM invoices; DELETE FROM invoice_lines');
    await replay();
    expect(await tables()).toEqual(before);
  });

  it('is rebuilt from the log into the same invoices and lines, byte for byte', async () => {
    const before = await tables();
    const report = await rebuildProjections({ store, url: schema.url, schema: schema.schema, projections: [invoicesProjection], pageSize: 4 });
    expect(report.tables.map((t) => [t.table, t.liveRows, t.rebuiltRows, t.differences])).toEqual([
      ['invoices', 7, 7, 0],
      ['invoice_lines', 20, 20, 0],
    ]);
    expect(report.swapped).toBe(true);
    expect(await tables()).toEqual(before);

    // A line whose bytes differ is found, though it means the same JSON.
    const { rows } = await pool.query<{ id: string; line: string }>('SELECT id, line FROM invoice_lines LIMIT 1');
    await pool.query('UPDATE invoice_lines SET line = $2 WHERE id = $1', [rows[0].id, JSON.stringify(JSON.parse(rows[0].line), null, 1)]);
    const dry = await rebuildProjections({ store, url: schema.url, schema: schema.schema, projections: [invoicesProjection], dryRun: true });
    expect(dry.tables.find((t) => t.table === 'invoice_lines')).toMatchObject({ differences: 1, samples: [{ key: rows[0].id }] });
  });
});

describe('reconciliation exports (PostgreSQL)', () => {
  let schema: TestSchema;
  let pool: Pool;
  let exports: ReconciliationExportsRepository;

  beforeAll(async () => {
    schema = await createTestSchema('exports');
    pool = createPgPool({ url: schema.url, schema: schema.schema, max: 2 });
    exports = await ReconciliationExportsRepository.open(pool, schema.schema);
  });

  afterAll(async () => {
    await pool.end();
    await schema.drop();
  });

  const request = (): ReconciliationRequest => ({
    id: randomUUID(),
    partnerId: 'contoso',
    invoiceId: 'contoso-2026-03-USD',
    throughRevision: 7,
    lineCount: 7,
    linesPerFile: 5,
    requestedAt: '2026-04-02T09:00:00.000Z',
  });
  const files = [
    { index: 1, firstRevision: 0, lastRevision: 4, lineCount: 5, sha256: 'a'.repeat(64) },
    { index: 2, firstRevision: 5, lastRevision: 6, lineCount: 2, sha256: 'b'.repeat(64) },
  ];

  it('records an export as running, then its files once written', async () => {
    const asked = request();
    await exports.record(asked);
    expect(await exports.find(asked.id)).toEqual({ ...asked, status: 'running', files: [], completedAt: null });
    await exports.complete(asked, files, '2026-04-02T09:00:01.000Z');
    expect(await exports.find(asked.id)).toEqual({ ...asked, status: 'completed', files, completedAt: '2026-04-02T09:00:01.000Z' });
  });

  it('keeps an export the worker completed before the api recorded it', async () => {
    const asked = request();
    await exports.complete(asked, files, '2026-04-02T09:00:01.000Z');
    await exports.record(asked);
    expect(await exports.find(asked.id)).toMatchObject({ status: 'completed', files });
    expect(await exports.find(randomUUID())).toBeNull();
  });
});
