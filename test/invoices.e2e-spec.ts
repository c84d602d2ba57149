import { addMonths, chargeLineId, invoiceCloseDueAt, invoiceIdOf, type InvoiceLine, invoiceStream, monthOf, periodDatesOf } from '@mfh/domain';
import { derivedId, EventStore, JsonObject } from '@mfh/event-store';
import { QUEUES } from '@mfh/messaging';
import { invoiceLinesHash, invoiceLineView } from '@mfh/read-models';
import { eventually, invoiceLine } from '@mfh/testing';
import { createHash, randomUUID } from 'node:crypto';
import type { ApiClient, ApiResponse } from './support/api-client';
import { expectProblem } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';

const DELAY_MS = 3_600_000;
const LINES_PER_FILE = 3;
const LINES = 'provider=onetime&invoicelineitemtype=billinglineitems';
const UNKNOWN_UUID = '3f0c2b9e-8d4a-4e71-b5c6-2a9d8e7f6c51';
/** Exports and advances of a few lines are done in well under this. */
const WAIT_MS = 20_000;

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');
/** A link as the API writes it, relative to the system under test. */
const pathOf = (uri: string): string => {
  const url = new URL(uri, 'http://system.test');
  return url.pathname + url.search;
};

describe('Invoices and reconciliation (SPEC §12, §14)', () => {
  let system: TestSystem;
  let store: EventStore;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let admin: ApiClient;
  let thisMonth: string;
  let lastMonth: string;
  const lines: Record<string, InvoiceLine[]> = {};

  /** `count` lines on a partner's period, appended as the charger appends them (ids from the lines'). */
  async function charge(partnerId: string, month: string, count: number, testClockId: string | null = null): Promise<InvoiceLine[]> {
    const invoiceId = invoiceIdOf({ partnerId, month, currency: 'USD', testClockId });
    const charged = Array.from({ length: count }, (_, i) => {
      const referenceId = randomUUID();
      return invoiceLine({
        referenceId,
        id: chargeLineId(referenceId, 0),
        invoiceId,
        testClockId,
        partnerId,
        customerId: randomUUID(),
        subscriptionId: randomUUID(),
        orderId: randomUUID(),
        chargeStartDate: `${month}-0${(i % 9) + 1}`,
        amount: 1200 * (i + 1),
        customerName: `Adatum "${i}" – Ünïcode`,
      });
    });
    const metadata = {
      actor: 'charger',
      role: 'system',
      source: 'System',
      correlationId: randomUUID(),
      causationId: randomUUID(),
      requestId: randomUUID(),
      occurredAt: `${month}-10T09:00:00.000Z`,
      ...(testClockId ? { testClockId } : {}),
    };
    await store.appendToStream(
      invoiceStream(invoiceId),
      charged.map((line) => ({ id: derivedId(line.id), type: 'ChargeRecorded', data: line as unknown as JsonObject, metadata })),
    );
    (lines[invoiceId] ??= []).push(...charged);
    return charged;
  }

  const issuedEvent = async (invoiceId: string) => (await store.readStream(invoiceStream(invoiceId))).find((event) => event.type === 'InvoiceIssued');
  const issued = (invoiceId: string, client = contoso) => eventually(() => client.get(`/v1/invoices/${invoiceId}`), (r) => r.status === 200, WAIT_MS);

  /** Every item of a list, following links.next; checks each page's size and totalCount on the way. */
  async function everyPage(client: ApiClient, first: string, size: number): Promise<{ items: any[]; pages: ApiResponse[] }> {
    const items: any[] = [];
    const pages: ApiResponse[] = [];
    let next: string | undefined = first;
    while (next) {
      const page: ApiResponse = await client.get(next);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(size);
      items.push(...page.body.items);
      pages.push(page);
      next = page.body.links.next ? pathOf(page.body.links.next.uri) : undefined;
    }
    expect(items).toHaveLength(pages[0].body.totalCount);
    return { items, pages };
  }

  /** Asks for an export (or takes the answer to asking), checks the 202, polls its Location until it is completed, and downloads every file. */
  async function reconciled(
    client: ApiClient,
    path: string,
    answer?: ApiResponse,
  ): Promise<{ location: string; files: { uri: string; lineCount: number; sha256: string; bytes: Buffer }[] }> {
    const asked = answer ?? (await client.post(path));
    expect({ status: asked.status, body: asked.body, retryAfter: asked.headers.get('retry-after') }).toEqual({
      status: 202,
      body: { status: 'running', files: [] },
      retryAfter: expect.stringMatching(/^\d+$/),
    });
    const location = asked.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/invoices\/reconciliations\/[0-9a-f-]{36}$/);
    const done = await eventually(() => client.get(location), (r) => r.body?.status === 'completed', WAIT_MS);
    expect(done.status).toBe(200);
    expect(Object.keys(done.body).sort()).toEqual(['files', 'status']);
    const files = [];
    for (const file of done.body.files) {
      expect(Object.keys(file).sort()).toEqual(['lineCount', 'sha256', 'uri']);
      const download = await client.download(pathOf(file.uri));
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      files.push({ ...file, bytes: download.bytes });
    }
    return { location, files };
  }

  /** What a file holds: one line view per line, each followed by a newline. */
  const ndjson = (of: readonly InvoiceLine[]) => of.map((line) => `${JSON.stringify(invoiceLineView(line))}\n`).join('');

  beforeAll(async () => {
    system = await startSystem({ env: { SANDBOX: 'true', INVOICE_CLOSE_DELAY: String(DELAY_MS), RECONCILIATION_LINES_PER_FILE: String(LINES_PER_FILE) } });
    store = system.api.get(EventStore);
    [contoso, northwind, admin] = await Promise.all([system.client('contoso'), system.client('northwind'), system.client('admin')]);
    // Last month is issued by now, unless this runs within the close delay of a month's start: then the clock moves past it.
    thisMonth = monthOf(system.clock.now().toISOString());
    lastMonth = monthOf(addMonths(`${thisMonth}-01`, -1));
    system.clock.advance(Math.max(0, Date.parse(invoiceCloseDueAt(periodDatesOf(lastMonth).periodEnd, DELAY_MS)) - system.clock.now().getTime() + 1_000));

    await charge('contoso', '2024-01', 7);
    await charge('contoso', '2024-02', 2);
    await charge('contoso', lastMonth, 1);
    await charge('contoso', thisMonth, 4);
    await charge('northwind', '2024-01', 1);
    for (const id of ['contoso-2024-01-USD', 'contoso-2024-02-USD', `contoso-${lastMonth}-USD`]) await issued(id);
    await issued('northwind-2024-01-USD', northwind);
    await system.caughtUp();
  }, 60_000);

  afterAll(() => system?.close());

  describe('issuing on the wall clock', () => {
    it('issues each period once its month and the close delay are over, dated at that due time, with the hash of its lines', async () => {
      const event = await issuedEvent('contoso-2024-01-USD');
      expect(event).toMatchObject({
        id: derivedId('contoso-2024-01-USD', 'issued', 0),
        revision: 7,
        data: {
          invoiceId: 'contoso-2024-01-USD',
          partnerId: 'contoso',
          testClockId: null,
          invoiceDate: '2024-02-01T01:00:00.000Z',
          periodStart: '2024-01-01',
          periodEnd: '2024-01-31',
          currency: 'USD',
          totalCharges: '336.00',
          lineCount: 7,
          linesHash: invoiceLinesHash(lines['contoso-2024-01-USD']),
        },
        metadata: { occurredAt: '2024-02-01T01:00:00.000Z', actor: 'invoices', source: 'System' },
      });
      // The period still running has a job waiting for its month to end.
      const job = await system.queue(QUEUES.invoices).getJob((await store.readStream(invoiceStream(`contoso-${thisMonth}-USD`)))[0].id);
      expect(await job?.getState()).toBe('delayed');
      expect((await store.readStream(invoiceStream(`contoso-${thisMonth}-USD`))).map((e) => e.type)).toEqual(Array(4).fill('ChargeRecorded'));
    });
  });

  describe('GET /v1/invoices and /v1/invoices/{id}', () => {
    it('shows one issued invoice exactly in Partner Center’s shape', async () => {
      const response = await contoso.get('/v1/invoices/contoso-2024-01-USD');
      expect(response.body).toEqual({
        id: 'contoso-2024-01-USD',
        invoiceDate: '2024-02-01T01:00:00.000Z',
        billingPeriodStartDate: '2024-01-01',
        billingPeriodEndDate: '2024-01-31',
        totalCharges: '336.00',
        currencyCode: 'USD',
        invoiceType: 'OneTime',
        documentType: 'Invoice',
        status: 'issued',
        invoiceDetails: [
          {
            invoiceLineItemType: 'billinglineitems',
            billingProvider: 'onetime',
            links: { self: { uri: `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}`, method: 'GET' } },
          },
        ],
      });
    });

    it('lists the partner’s issued invoices newest first, a page at a time', async () => {
      const { items, pages } = await everyPage(contoso, '/v1/invoices?size=2', 2);
      expect(items.map((invoice) => invoice.id)).toEqual([`contoso-${lastMonth}-USD`, 'contoso-2024-02-USD', 'contoso-2024-01-USD']);
      expect(items[2]).toEqual((await contoso.get('/v1/invoices/contoso-2024-01-USD')).body);
      expect(pages[0].body.links).toEqual({
        self: { uri: '/v1/invoices?size=2', method: 'GET', headers: [] },
        next: { uri: expect.stringMatching(/^\/v1\/invoices\?size=2&continuationToken=[\w-]+$/), method: 'GET', headers: [] },
      });
      expect(pages[1].body.links.next).toBeUndefined();
      expect((await contoso.get('/v1/invoices')).body.totalCount).toBe(3);
    });

    it('shows a partner only its own: another partner’s invoice is not found, and an open period is no invoice yet', async () => {
      expect((await northwind.get('/v1/invoices')).body.items.map((invoice: { id: string }) => invoice.id)).toEqual(['northwind-2024-01-USD']);
      for (const path of ['/v1/invoices/contoso-2024-01-USD', `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}`]) {
        const response = await northwind.get(path);
        expectProblem(response, 404);
        expect(response.body.type).toBe('/problems/invoice-not-found');
      }
      expectProblem(await northwind.post('/v1/invoices/contoso-2024-01-USD/reconciliation'), 404);
      expectProblem(await contoso.get(`/v1/invoices/contoso-${thisMonth}-USD`), 404);
      expectProblem(await contoso.get('/v1/invoices/contoso-2023-01-USD'), 404);
    });
  });

  describe('line items', () => {
    it('pages an invoice’s lines in the order they were charged, each as SPEC §12 names its fields', async () => {
      const { items, pages } = await everyPage(contoso, `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}&size=3`, 3);
      expect(pages).toHaveLength(3);
      expect(items).toEqual(lines['contoso-2024-01-USD'].map(invoiceLineView));
      expect(Object.keys(items[0])).toEqual([
        'partnerId', 'customerId', 'customerName', 'customerDomainName', 'invoiceNumber', 'orderId', 'orderDate', 'subscriptionId',
        'subscriptionDescription', 'productId', 'skuId', 'skuName', 'productName', 'publisherId', 'publisherName', 'termAndBillingCycle',
        'chargeType', 'chargeStartDate', 'chargeEndDate', 'unitPrice', 'effectiveUnitPrice', 'quantity', 'billableQuantity', 'subtotal',
        'taxTotal', 'totalForCustomer', 'currency', 'resellerMpnId', 'referenceId',
      ]);
      expect(items[1]).toMatchObject({ invoiceNumber: 'contoso-2024-01-USD', subtotal: '24.00', totalForCustomer: '24.00', taxTotal: '0.00' });
      expect(pathOf(pages[0].body.links.next.uri)).toMatch(new RegExp(`^/v1/invoices/contoso-2024-01-USD/lineitems\\?${LINES}&size=3&continuationToken=`));
      // Partner Center's spelling of the values is taken too.
      expect((await contoso.get('/v1/invoices/contoso-2024-01-USD/lineitems?provider=OneTime&invoicelineitemtype=BillingLineItems')).body.totalCount).toBe(7);
    });

    it('shows the open period’s lines as unbilled: this month’s, and last month’s only until it is issued', async () => {
      const current = await everyPage(contoso, `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current&size=3`, 3);
      expect(current.items).toEqual(lines[`contoso-${thisMonth}-USD`].map(invoiceLineView));
      expect(current.pages[0].body.links.next.uri).toMatch(/^\/v1\/invoices\/unbilled\/lineitems\?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current&size=3&continuationToken=/);
      const previous = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=usd&period=previous`);
      expect({ status: previous.status, totalCount: previous.body.totalCount, items: previous.body.items }).toEqual({ status: 200, totalCount: 0, items: [] });
      expect((await northwind.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current`)).body).toMatchObject({ totalCount: 0, items: [] });
    });
  });

  describe('bad input', () => {
    const bad: [string, string][] = [
      ['an unknown provider', `/v1/invoices/contoso-2024-01-USD/lineitems?provider=azure&invoicelineitemtype=billinglineitems`],
      ['no provider', `/v1/invoices/contoso-2024-01-USD/lineitems?invoicelineitemtype=billinglineitems`],
      ['an unknown line item type', `/v1/invoices/contoso-2024-01-USD/lineitems?provider=onetime&invoicelineitemtype=usagelineitems`],
      ['a repeated provider', `/v1/invoices/contoso-2024-01-USD/lineitems?provider=onetime&provider=onetime&invoicelineitemtype=billinglineitems`],
      ['size 0', `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}&size=0`],
      ['size 501', `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}&size=501`],
      ['a size that is not a number', `/v1/invoices?size=ten`],
      ['a forged line token', `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}&continuationToken=${Buffer.from('[-1]').toString('base64url')}`],
      ['a line token that is not base64url JSON', `/v1/invoices/contoso-2024-01-USD/lineitems?${LINES}&continuationToken=not-a-token`],
      ['a forged invoice list token', `/v1/invoices?continuationToken=${Buffer.from('["2024-02-30T00:00:00.000Z","x"]').toString('base64url')}`],
      ['an unknown parameter', '/v1/invoices?offset=10'],
      ['a test clock id that is not a UUID', '/v1/invoices?testClockId=clock-1'],
      ['an unknown test clock', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current&testClockId=${UNKNOWN_UUID}`],
      ['a malformed invoice id', '/v1/invoices/contoso-2024-13-USD'],
      ['an invoice id that names no period', '/v1/invoices/unbilled'],
      ['an unknown currency', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=EUR&period=current`],
      ['a currency that is no code', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=DOLLARS&period=current`],
      ['an unknown period', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=next`],
      ['no period', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD`],
      ['no currency', `/v1/invoices/unbilled/lineitems?${LINES}&period=current`],
      ['an unknown provider for unbilled lines', `/v1/invoices/unbilled/lineitems?provider=azure&invoicelineitemtype=billinglineitems&currencycode=USD&period=current`],
      ['a forged unbilled token on a period without lines', `/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=previous&continuationToken=abc`],
      ['an export id that is not a UUID', '/v1/invoices/reconciliations/export-1'],
      ['file 0', `/v1/invoices/reconciliations/${UNKNOWN_UUID}/files/0`],
    ];

    it.each(bad)('GET with %s is a 400 problem', async (_case, path) => {
      const response = await contoso.get(path);
      expectProblem(response, 400);
    });

    it.each([
      ['an unknown currency', '/v1/invoices/unbilled/reconciliation?currencycode=EUR&period=current'],
      ['an unknown period', '/v1/invoices/unbilled/reconciliation?currencycode=USD&period=last'],
      ['no period', '/v1/invoices/unbilled/reconciliation?currencycode=USD'],
      ['a malformed invoice id', '/v1/invoices/2024-01/reconciliation'],
    ])('an export asked for with %s is a 400 problem, and nothing is exported', async (_case, path) => {
      const before = await system.db.query('SELECT count(*)::int AS n FROM reconciliation_exports');
      expectProblem(await contoso.post(path), 400);
      expect((await system.db.query('SELECT count(*)::int AS n FROM reconciliation_exports')).rows).toEqual(before.rows);
    });

    it('names the field and says what is wrong', async () => {
      const response = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=EUR&period=current`);
      expect(response.body).toMatchObject({ type: '/problems/unknown-currency', errors: [{ pointer: '/currencycode', detail: expect.stringContaining('USD') }] });
      const period = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=next`);
      expect(period.body.errors).toEqual([{ pointer: '/period', detail: 'period must be current or previous' }]);
    });

    it('answers unknown exports and files with 404', async () => {
      expectProblem(await contoso.get(`/v1/invoices/reconciliations/${UNKNOWN_UUID}`), 404);
      expectProblem(await contoso.get(`/v1/invoices/reconciliations/${UNKNOWN_UUID}/files/1`), 404);
    });
  });

  describe('reconciliation', () => {
    it('exports an issued invoice in files of a fixed number of lines, each hashed; together they are InvoiceIssued’s linesHash', async () => {
      const invoiceId = 'contoso-2024-01-USD';
      const { files } = await reconciled(contoso, `/v1/invoices/${invoiceId}/reconciliation`);
      expect(files.map((file) => file.lineCount)).toEqual([3, 3, 1]);
      const expected = lines[invoiceId];
      files.forEach((file, i) => {
        expect(sha256(file.bytes)).toBe(file.sha256);
        expect(file.bytes.toString('utf8')).toBe(ndjson(expected.slice(i * LINES_PER_FILE, (i + 1) * LINES_PER_FILE)));
      });
      expect(sha256(Buffer.concat(files.map((file) => file.bytes)))).toBe((await issuedEvent(invoiceId))!.data.linesHash);
    });

    it('exports an invoice of one file whose sha256 is InvoiceIssued’s linesHash', async () => {
      const { files } = await reconciled(contoso, '/v1/invoices/contoso-2024-02-USD/reconciliation');
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ lineCount: 2, sha256: (await issuedEvent('contoso-2024-02-USD'))!.data.linesHash });
      expect(sha256(files[0].bytes)).toBe(files[0].sha256);
      expect(files[0].bytes.toString('utf8').split('\n').filter(Boolean).map((text) => JSON.parse(text))).toEqual(lines['contoso-2024-02-USD'].map(invoiceLineView));
    });

    it('pins an unbilled export to the lines there were when it was asked for: written after more came, its files never change', async () => {
      const path = '/v1/invoices/unbilled/reconciliation?currencycode=USD&period=current';
      const before = [...lines[`contoso-${thisMonth}-USD`]];
      const queue = system.queue(QUEUES.reconciliations);
      // The worker takes no export until the new lines are in the read model.
      await queue.pause();
      let first: Awaited<ReturnType<typeof reconciled>>;
      try {
        const asked = await contoso.post(path);
        await charge('contoso', thisMonth, 2);
        await system.caughtUp();
        await queue.resume();
        first = await reconciled(contoso, path, asked);
      } finally {
        await queue.resume();
      }
      expect(first.files.map((file) => file.lineCount)).toEqual([3, 1]);
      expect(Buffer.concat(first.files.map((file) => file.bytes)).toString('utf8')).toBe(ndjson(before));
      const again = await contoso.get(first.location);
      expect(again.body.files.map((file: { sha256: string }) => file.sha256)).toEqual(first.files.map((file) => file.sha256));
      for (const file of first.files) expect((await contoso.download(pathOf(file.uri))).bytes).toEqual(file.bytes);

      const later = await reconciled(contoso, path);
      expect(later.files.map((file) => file.lineCount)).toEqual([3, 3]);
      expect(later.files[0].sha256).toBe(first.files[0].sha256);
    });

    it('exports a period without lines as no files', async () => {
      const { files } = await reconciled(northwind, '/v1/invoices/unbilled/reconciliation?currencycode=USD&period=previous');
      expect(files).toEqual([]);
    });

    it('keeps an export to the partner who asked for it', async () => {
      const { location, files } = await reconciled(contoso, '/v1/invoices/contoso-2024-02-USD/reconciliation');
      expectProblem(await northwind.get(location), 404);
      expectProblem(await northwind.get(pathOf(files[0].uri)), 404);
      expectProblem(await contoso.get(`${location}/files/2`), 404);
      expectProblem(await admin.get(location), 403);
    });

    it('survives the worker being away, and its job being lost: polling queues it again, and it completes', async () => {
      await system.stopWorker();
      let location: string;
      try {
        const asked = await contoso.post('/v1/invoices/contoso-2024-01-USD/reconciliation');
        expect(asked.status).toBe(202);
        location = asked.headers.get('location')!;
        const exportId = location.split('/').at(-1)!;
        const queue = system.queue(QUEUES.reconciliations);
        expect(await queue.getJob(exportId)).toBeDefined();
        await queue.remove(exportId);
        expect(await queue.getJob(exportId)).toBeUndefined();

        const running = await contoso.get(location);
        expect({ status: running.status, body: running.body, retryAfter: running.headers.get('retry-after') }).toEqual({
          status: 200,
          body: { status: 'running', files: [] },
          retryAfter: expect.stringMatching(/^\d+$/),
        });
        expect(await queue.getJob(exportId)).toBeDefined();
      } finally {
        await system.startWorker();
      }
      const done = await eventually(() => contoso.get(location), (r) => r.body.status === 'completed', WAIT_MS);
      expect(done.body.files.map((file: { lineCount: number }) => file.lineCount)).toEqual([3, 3, 1]);
    });
  });

  describe('on a test clock', () => {
    let testClockId: string;
    const clockInvoice = (month: string) => invoiceIdOf({ partnerId: 'contoso', month, currency: 'USD', testClockId });

    async function advance(frozenTime: string): Promise<void> {
      expect((await admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime } })).status).toBe(202);
      const clock = await eventually(() => admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body?.status === 'ready', WAIT_MS);
      expect(clock.body.frozenTime).toBe(frozenTime);
    }

    const unbilled = (period: string) => contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=${period}&testClockId=${testClockId}`);

    beforeAll(async () => {
      const clock = await admin.post('/v1/admin/test-clocks', { body: { name: 'Month end', frozenTime: '2027-01-20T12:00:00.000Z' } });
      expect(clock.status).toBe(201);
      testClockId = clock.body.id;
      await charge('contoso', '2027-01', 3, testClockId);
      await system.caughtUp();
    });

    it('shows the clock’s open period as unbilled, in the clock’s time, and last month’s until the close delay has passed', async () => {
      expect((await unbilled('current')).body.items).toEqual(lines[clockInvoice('2027-01')].map(invoiceLineView));
      await advance('2027-02-01T00:30:00.000Z');
      expect((await unbilled('current')).body).toMatchObject({ totalCount: 0, items: [] });
      expect((await unbilled('previous')).body.totalCount).toBe(3);
      // Its real periods are not the clock's.
      expect((await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current`)).body.items[0].invoiceNumber).toBe(`contoso-${thisMonth}-USD`);
      expect((await contoso.get(`/v1/invoices?testClockId=${testClockId}`)).body).toMatchObject({ totalCount: 0, items: [] });
    });

    it('issues the period when an advance passes its month’s end and the close delay, dated in the clock’s time', async () => {
      await advance('2027-02-10T00:00:00.000Z');
      expect((await unbilled('previous')).body.totalCount).toBe(0);
      const event = await issuedEvent(clockInvoice('2027-01'));
      expect(event).toMatchObject({
        data: { invoiceId: clockInvoice('2027-01'), testClockId, invoiceDate: '2027-02-01T01:00:00.000Z', lineCount: 3, linesHash: invoiceLinesHash(lines[clockInvoice('2027-01')]) },
        metadata: { occurredAt: '2027-02-01T01:00:00.000Z', testClockId, actor: 'test-clock' },
      });
      expect((await store.readStream(`test-clock-${testClockId}`)).map((e) => e.data.frozenTime ?? null)).toContain('2027-02-01T01:00:00.000Z');

      await charge('contoso', '2027-02', 2, testClockId);
      await system.caughtUp();
      expect((await unbilled('current')).body.totalCount).toBe(2);
      // Due at exactly the advance's target: it is issued by that advance.
      await advance('2027-03-01T01:00:00.000Z');

      const listed = await contoso.get(`/v1/invoices?testClockId=${testClockId.toUpperCase()}`);
      expect(listed.body.items.map((invoice: Record<string, unknown>) => [invoice.id, invoice.invoiceDate, invoice.isTest, invoice.totalCharges])).toEqual([
        [clockInvoice('2027-02'), '2027-03-01T01:00:00.000Z', true, '36.00'],
        [clockInvoice('2027-01'), '2027-02-01T01:00:00.000Z', true, '72.00'],
      ]);
      expect((await contoso.get(`/v1/invoices/${clockInvoice('2027-02')}`)).body).toMatchObject({ isTest: true, billingPeriodStartDate: '2027-02-01' });
      expect((await contoso.get('/v1/invoices')).body.items.some((invoice: { id: string }) => invoice.id.includes(testClockId))).toBe(false);
      expect((await northwind.get(`/v1/invoices?testClockId=${testClockId}`)).body.totalCount).toBe(0);

      const { files } = await reconciled(contoso, `/v1/invoices/${clockInvoice('2027-02')}/reconciliation`);
      expect(files.map((file) => file.sha256)).toEqual([(await issuedEvent(clockInvoice('2027-02')))!.data.linesHash]);
    });
  });

  it('describes the invoice endpoints in the OpenAPI document', async () => {
    const { paths } = (await contoso.get('/docs/json')).body;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/invoices/{invoiceId}',
        '/v1/invoices/{invoiceId}/lineitems',
        '/v1/invoices/unbilled/lineitems',
        '/v1/invoices/{invoiceId}/reconciliation',
        '/v1/invoices/unbilled/reconciliation',
        '/v1/invoices/reconciliations/{exportId}',
        '/v1/invoices/reconciliations/{exportId}/files/{index}',
      ]),
    );
    expect(paths['/v1/invoices/{invoiceId}'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/InvoiceResponse');
  });
});
