import { eventually } from '@mfh/testing';
import { PassThrough } from 'node:stream';
import { runCli } from '../apps/cli/src/cli';
import type { ApiClient } from './support/api-client';
import { lineItem } from './support/fixtures';
import { startSystem, TestSystem } from './support/system';
import { licensesAssigned, sendCallback } from './support/webhooks';

const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const LINES = 'provider=onetime&invoicelineitemtype=billinglineitems';
const AUTO_ACCEPT_MS = 10_000;
const START = '2027-01-05T09:00:00.000Z';

type Name = 'monthly' | 'annual' | 'annualBilledMonthly' | 'cancelled';

/**
 * The year, worked out by hand from SPEC §12's rules (integer cents; proration = unit price ×
 * remaining days, the change day included, ÷ (cycles per term × days in the cycle), rounded down).
 *
 * - monthly: standard P1M, 5 seats at 12.00, term 5 Jan–4 Feb. New 5 × 12.00 = 60.00. On 20 Jan 3 seats
 *   more: 16 of the cycle's 31 days, 12.00 × 16 / 31 = 6.1935… → 6.19 a seat, 18.57. Renewed on the
 *   5th of each month with 8 seats (96.00); on 10 Jun down to 6 seats, outside the 72-hour window, so
 *   no credit and 72.00 from the 5 Jul renewal on.
 * - annual: standard P1Y billed annually, 10 seats at 120.00: new 1,200.00. On 1 Mar the publisher
 *   converts it to enterprise (300.00): 310 of the term's 365 days remain, credit 10 × ⌊120.00 × 310 /
 *   365⌋ = 10 × 101.91 = −1,019.10, charge 10 × ⌊300.00 × 310 / 365⌋ = 10 × 254.79 = 2,547.90.
 * - annualBilledMonthly: standard P1Y billed monthly, 10 seats: new 10 × 120.00 / 12 = 100.00. On 10 Jan,
 *   inside its 14-day window, down to 8 seats: 26 of 31 days, ⌊120.00 × 26 / (12 × 31)⌋ = 8.38, credit
 *   2 × 8.38 = −16.76. Each later month's cycle (5 Feb … 5 Dec) charges 8 × 10.00 = 80.00.
 * - cancelled: standard P1M, 3 seats: new 36.00, cancelled inside its window: −36.00.
 */
const YEAR: Record<string, [Name, string, string][]> = {
  '2027-01': [
    ['monthly', 'new', '60.00'],
    ['monthly', 'addQuantity', '18.57'],
    ['annual', 'new', '1200.00'],
    ['annualBilledMonthly', 'new', '100.00'],
    ['annualBilledMonthly', 'removeQuantity', '-16.76'],
    ['cancelled', 'new', '36.00'],
    ['cancelled', 'cancelImmediate', '-36.00'],
  ],
  '2027-02': [...monthsOf('96.00')],
  '2027-03': [...monthsOf('96.00'), ['annual', 'convert', '-1019.10'], ['annual', 'convert', '2547.90']],
  '2027-04': [...monthsOf('96.00')],
  '2027-05': [...monthsOf('96.00')],
  '2027-06': [...monthsOf('96.00')],
  '2027-07': [...monthsOf('72.00')],
  '2027-08': [...monthsOf('72.00')],
  '2027-09': [...monthsOf('72.00')],
  '2027-10': [...monthsOf('72.00')],
  '2027-11': [...monthsOf('72.00')],
  '2027-12': [...monthsOf('72.00')],
};

function monthsOf(renewal: string): [Name, string, string][] {
  return [
    ['monthly', 'renew', renewal],
    ['annualBilledMonthly', 'cycleCharge', '80.00'],
  ];
}

const cents = (amount: string): number => Math.round(Number(amount) * 100);
const sumOf = (amounts: string[]): string => (amounts.reduce((sum, a) => sum + cents(a), 0) / 100).toFixed(2);

describe('A year of money on a test clock (SPEC §12, §14)', () => {
  let system: TestSystem;
  let admin: ApiClient;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let fabrikam: ApiClient;
  let testClockId: string;
  let customerId: string;
  const subscriptions = {} as Record<Name, string>;

  const path = (name: Name) => `/v1/customers/${customerId}/subscriptions/${subscriptions[name]}`;

  async function advance(frozenTime: string): Promise<void> {
    const asked = await admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime } });
    expect(asked.status).toBe(202);
    const clock = await eventually(() => admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body.status === 'ready', 60_000);
    expect(clock.body.frozenTime).toBe(new Date(frozenTime).toISOString());
  }

  /** Bought by contoso and billed the real way: resolved, activated and licensed by the publisher. */
  async function billed(name: Name, item: Parameters<typeof lineItem>[0]): Promise<void> {
    const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [lineItem(item)] } });
    expect(order.status).toBe(201);
    const subscriptionId: string = order.body.lineItems[0].subscriptionId;
    subscriptions[name] = subscriptionId;
    const token = new URL((await contoso.get(path(name))).body.activationLink).searchParams.get('token')!;
    const resolved = await fabrikam.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': token } });
    expect(resolved.status).toBe(200);
    const activated = await fabrikam.post(`${SAAS}/${subscriptionId}/activate?${API_VERSION}`, { body: { planId: resolved.body.planId, quantity: resolved.body.quantity } });
    expect(activated.status).toBe(200);
    expect((await sendCallback(system.baseUrl, licensesAssigned(subscriptionId, item!.quantity!))).status).toBe(202);
    await eventually(() => contoso.get(path(name)), (r) => r.body.status === 'active');
  }

  /** A change that waits for the publisher, accepted unanswered ten seconds later in the clock's time. */
  async function changed(name: Name, body: Record<string, unknown>, at: string): Promise<void> {
    await advance(at);
    const asked = await contoso.patch(path(name), { body });
    expect(asked.status).toBe(202);
    await advance(new Date(Date.parse(at) + AUTO_ACCEPT_MS + 1_000).toISOString());
  }

  async function invoices(): Promise<any[]> {
    const response = await contoso.get(`/v1/invoices?testClockId=${testClockId}`);
    expect(response.status).toBe(200);
    return response.body.items;
  }

  /** Every line of an invoice, page by page (a small page, so that paging is part of the year). */
  async function linesOf(invoiceId: string): Promise<any[]> {
    const lines: any[] = [];
    let next: string | undefined = `/v1/invoices/${invoiceId}/lineitems?${LINES}&size=3`;
    while (next) {
      const page: { status: number; body: any } = await contoso.get(next);
      expect(page.status).toBe(200);
      lines.push(...page.body.items);
      expect(page.body.totalCount).toBeGreaterThanOrEqual(lines.length);
      next = page.body.links?.next?.uri ? new URL(page.body.links.next.uri, system.baseUrl).pathname + new URL(page.body.links.next.uri, system.baseUrl).search : undefined;
    }
    return lines;
  }

  /** What partners read of every invoice, as bytes. */
  async function everyInvoiceAsRead(): Promise<string> {
    const all = await invoices();
    const read = [];
    for (const invoice of all) {
      read.push((await contoso.get(`/v1/invoices/${invoice.id}`)).text, (await contoso.get(`/v1/invoices/${invoice.id}/lineitems?${LINES}&size=500`)).text);
    }
    return JSON.stringify([(await contoso.get(`/v1/invoices?testClockId=${testClockId}`)).text, ...read]);
  }

  beforeAll(async () => {
    system = await startSystem({ env: { SANDBOX: 'true', OPERATION_AUTO_ACCEPT_MS: String(AUTO_ACCEPT_MS), INVOICE_CLOSE_DELAY: '3600000' } });
    admin = await system.client('admin');
    contoso = await system.client('contoso');
    northwind = await system.client('northwind');
    fabrikam = await system.client('fabrikam');

    const clock = await admin.post('/v1/admin/test-clocks', { body: { name: 'A year of money', frozenTime: START } });
    expect(clock.status).toBe(201);
    testClockId = clock.body.id;
    const customer = await contoso.post('/v1/customers', { body: { companyName: 'Year of Money Ltd', domain: 'yearofmoney.example', testClockId } });
    expect(customer.status).toBe(201);
    customerId = customer.body.id;

    await billed('monthly', { quantity: 5 });
    await billed('annual', { quantity: 10, termDuration: 'P1Y', billingCycle: 'annual' });
    await billed('annualBilledMonthly', { quantity: 10, termDuration: 'P1Y', billingCycle: 'monthly' });
    await billed('cancelled', { quantity: 3 });

    const cancel = await contoso.patch(path('cancelled'), { body: { status: 'deleted' } });
    expect([200, 202]).toContain(cancel.status);
    await advance('2027-01-05T09:00:11Z');
    await changed('annualBilledMonthly', { quantity: 8 }, '2027-01-10T09:00:00Z');
    await changed('monthly', { quantity: 8 }, '2027-01-20T09:00:00Z');

    await advance('2027-03-01T09:00:00Z');
    const convert = await fabrikam.patch(`${SAAS}/${subscriptions.annual}?${API_VERSION}`, { body: { planId: 'enterprise' } });
    expect(convert.status).toBe(202);
    await advance('2027-03-01T09:00:11Z');

    await changed('monthly', { quantity: 6 }, '2027-06-10T09:00:00Z');
    // Past the last month's end and its close delay: December is issued at 1 Jan 2028 01:00.
    await advance('2028-01-02T00:00:00Z');
    await system.caughtUp();
  }, 240_000);

  afterAll(() => system?.close());

  it('issues twelve invoices, one a month, newest first, each after its month ended and the close delay passed', async () => {
    const issued = await invoices();
    const months = Object.keys(YEAR);
    expect(issued.map((invoice) => invoice.id)).toEqual([...months].reverse().map((month) => `contoso-${testClockId}-${month}-USD`));
    for (const invoice of issued) {
      const month = invoice.billingPeriodStartDate.slice(0, 7);
      const [y, m] = month.split('-').map(Number);
      const nextMonth = new Date(Date.UTC(y, m, 1, 1)).toISOString();
      expect(invoice).toMatchObject({
        invoiceDate: nextMonth,
        billingPeriodStartDate: `${month}-01`,
        billingPeriodEndDate: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10),
        totalCharges: sumOf(YEAR[month].map(([, , amount]) => amount)),
        currencyCode: 'USD',
        invoiceType: 'OneTime',
        documentType: 'Invoice',
        status: 'issued',
        isTest: true,
        invoiceDetails: [expect.objectContaining({ invoiceLineItemType: 'billinglineitems', billingProvider: 'onetime' })],
      });
    }
  });

  it('bills every line as computed by hand, and each total is the sum of its lines', async () => {
    const names = Object.fromEntries(Object.entries(subscriptions).map(([name, id]) => [id, name]));
    for (const [month, expected] of Object.entries(YEAR)) {
      const invoiceId = `contoso-${testClockId}-${month}-USD`;
      const lines = await linesOf(invoiceId);
      const billed = lines.map((line) => [names[line.subscriptionId], line.chargeType, line.totalForCustomer]);
      const order = (rows: [string, string, string][]) => [...rows].sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
      expect({ month, lines: order(billed as [string, string, string][]) }).toEqual({ month, lines: order(expected) });
      const invoice = (await contoso.get(`/v1/invoices/${invoiceId}`)).body;
      expect(invoice.totalCharges).toBe(sumOf(lines.map((line) => line.totalForCustomer)));
      for (const line of lines) {
        expect(line).toMatchObject({ partnerId: 'contoso', customerId, customerName: 'Year of Money Ltd', invoiceNumber: invoiceId, currency: 'USD', taxTotal: '0.00' });
        expect(line.subtotal).toBe(line.totalForCustomer);
        expect(line.referenceId).toEqual(expect.any(String));
      }
    }
  });

  it('credits a cancellation inside its window to exactly zero over the term', async () => {
    const january = await linesOf(`contoso-${testClockId}-2027-01-USD`);
    const cancelled = january.filter((line) => line.subscriptionId === subscriptions.cancelled);
    expect(sumOf(cancelled.map((line) => line.totalForCustomer))).toBe('0.00');
  });

  it('shows what the current term has cost and when the next charge falls', async () => {
    const annual = (await contoso.get(path('annual'))).body;
    expect(annual).toMatchObject({ currentTermCharged: '2728.80', nextChargeDate: '2028-01-05' });
    const monthly = (await contoso.get(path('annualBilledMonthly'))).body;
    expect(monthly).toMatchObject({ currentTermCharged: sumOf(['100.00', '-16.76', ...Array(11).fill('80.00')]), nextChargeDate: '2028-01-05' });
  });

  it('keeps a clock’s invoices apart: none among the real ones, none for another partner', async () => {
    const real = await contoso.get('/v1/invoices');
    expect(real.status).toBe(200);
    expect(real.body.items.filter((invoice: { id: string }) => invoice.id.includes(testClockId))).toEqual([]);
    const other = await northwind.get(`/v1/invoices/contoso-${testClockId}-2027-01-USD`);
    expect(other.status).toBe(404);
  });

  it('reproduces every invoice byte for byte from the log when the projections are rebuilt', async () => {
    const before = await everyInvoiceAsRead();
    const out = new PassThrough();
    const printed: string[] = [];
    out.on('data', (chunk: Buffer) => printed.push(chunk.toString('utf8')));
    const env = { DATABASE_URL: system.config.DATABASE_URL, DATABASE_SCHEMA: system.config.DATABASE_SCHEMA, LOG_LEVEL: 'silent' };
    const code = await runCli(['projections', 'rebuild'], { stdout: out, stderr: out, env });
    expect({ code, printed: printed.join('') }).toEqual({ code: 0, printed: expect.stringMatching(/^invoices .* identical$/m) });
    expect(await everyInvoiceAsRead()).toBe(before);
  });
});
