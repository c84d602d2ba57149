import { eventually } from '@mfh/testing';
import type { ApiClient } from './support/api-client';
import { expectProblem, LineItem, lineItem } from './support/fixtures';
import { loadSaasSchemas } from './support/saas-schema';
import { startSystem, TestSystem } from './support/system';
import { licensesAssigned, sendCallback } from './support/webhooks';

const SAAS = '/api/saas/subscriptions';
const API_VERSION = 'api-version=2018-08-31';
const LINES = 'provider=onetime&invoicelineitemtype=billinglineitems&size=500';
const START = '2027-01-05T09:00:00.000Z';

const saasSchemas = loadSaasSchemas();
if (saasSchemas.missing) console.warn(`Not validating the term against Microsoft's Subscription schema: ${saasSchemas.missing}`);

type Name = 'threeYears' | 'twoYearsUpfront';

/**
 * Fabrikam Analytics `team` on a test clock from 2027-01-05 09:00, worked out by hand from SPEC §12
 * and §13 (the price is per seat per term, split evenly over the term's cycles):
 *
 * - threeYears: P3Y billed annually, 3 seats at 540.00: a year is 540.00 / 3 = 180.00 a seat, so
 *   `new` 3 × 180.00 = 540.00 for 2027-01-05..2028-01-04, then `cycleCharge` 540.00 on 2028-01-05
 *   and on 2029-01-05; the term ends 2030-01-04.
 * - twoYearsUpfront: P2Y billed upfront, 3 seats at 380.00: `new` 3 × 380.00 = 1,140.00 for the whole
 *   term 2027-01-05..2029-01-04, nothing in between, and `renew` 1,140.00 for the next two years on 2029-01-05.
 */
describe('Terms of one month to three years (SPEC §13)', () => {
  let system: TestSystem;
  let admin: ApiClient;
  let contoso: ApiClient;
  let fabrikam: ApiClient;
  let auditor: ApiClient;
  let testClockId: string;
  let customerId: string;
  const subscriptions = {} as Record<Name, string>;

  const path = (name: Name) => `/v1/customers/${customerId}/subscriptions/${subscriptions[name]}`;
  const saas = (name: Name) => `${SAAS}/${subscriptions[name]}?${API_VERSION}`;
  const analytics = (item: LineItem) => lineItem({ offerId: 'fabrikam-analytics', planId: 'team', quantity: 3, ...item });
  const invoiceId = (month: string) => `contoso-${testClockId}-${month}-USD`;

  async function advance(frozenTime: string): Promise<void> {
    const asked = await admin.post(`/v1/admin/test-clocks/${testClockId}/advance`, { body: { frozenTime } });
    expect(asked.status).toBe(202);
    const clock = await eventually(() => admin.get(`/v1/admin/test-clocks/${testClockId}`), (r) => r.body.status === 'ready', 60_000);
    expect(clock.body.frozenTime).toBe(new Date(frozenTime).toISOString());
    await system.caughtUp();
  }

  /** Bought by contoso and billed the real way: resolved, activated and licensed by the publisher. */
  async function billed(name: Name, item: LineItem): Promise<void> {
    const order = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [analytics(item)] } });
    expect({ status: order.status, body: order.body }).toEqual({ status: 201, body: expect.objectContaining({ status: 'completed' }) });
    subscriptions[name] = order.body.lineItems[0].subscriptionId;
    const token = new URL((await contoso.get(path(name))).body.activationLink).searchParams.get('token')!;
    const resolved = await fabrikam.post(`${SAAS}/resolve?${API_VERSION}`, { headers: { 'x-ms-marketplace-token': token } });
    expect(resolved.status).toBe(200);
    const activated = await fabrikam.post(`${SAAS}/${subscriptions[name]}/activate?${API_VERSION}`, { body: { planId: 'team', quantity: 3 } });
    expect(activated.status).toBe(200);
    expect((await sendCallback(system.baseUrl, licensesAssigned(subscriptions[name], 3))).status).toBe(202);
    await eventually(() => contoso.get(path(name)), (r) => r.body.status === 'active');
  }

  /** An issued invoice's lines as [subscription, chargeType, amount], sorted. */
  async function linesOf(month: string): Promise<any[]> {
    const response = await contoso.get(`/v1/invoices/${invoiceId(month)}/lineitems?${LINES}`);
    expect({ month, status: response.status }).toEqual({ month, status: 200 });
    return response.body.items;
  }
  const names = () => Object.fromEntries(Object.entries(subscriptions).map(([name, id]) => [id, name]));
  const summary = (lines: any[]) => lines.map((line) => [names()[line.subscriptionId], line.chargeType, line.totalForCustomer]).sort((a, b) => a.join().localeCompare(b.join()));

  beforeAll(async () => {
    system = await startSystem({ env: { SANDBOX: 'true', INVOICE_CLOSE_DELAY: '3600000' } });
    [admin, contoso, fabrikam, auditor] = await Promise.all([system.client('admin'), system.client('contoso'), system.client('fabrikam'), system.client('auditor')]);
    const clock = await admin.post('/v1/admin/test-clocks', { body: { name: 'Three years of analytics', frozenTime: START } });
    expect(clock.status).toBe(201);
    testClockId = clock.body.id;
    const customer = await contoso.post('/v1/customers', { body: { companyName: 'Three Year Traders', testClockId } });
    expect(customer.status).toBe(201);
    customerId = customer.body.id;
    await billed('threeYears', { termDuration: 'P3Y', billingCycle: 'annual' });
    await billed('twoYearsUpfront', { termDuration: 'P2Y', billingCycle: 'upfront' });
    // The charger has rated the first cycles, and the views hold them.
    await system.caughtUp();
  }, 60_000);

  afterAll(() => system?.close());

  it('lists each term of Fabrikam Analytics with the billing cycles it is sold with', async () => {
    const offers = await contoso.get('/v1/offers');
    const offer = offers.body.items.find((o: { id: string }) => o.id === 'fabrikam-analytics');
    expect(offer.terms).toEqual([
      { termDuration: 'P1M', billingCycles: ['monthly'], cancellationWindow: 'PT72H' },
      { termDuration: 'P1Y', billingCycles: ['monthly', 'annual', 'upfront'], cancellationWindow: 'P14D' },
      { termDuration: 'P2Y', billingCycles: ['annual', 'upfront'], cancellationWindow: 'PT72H' },
      { termDuration: 'P3Y', billingCycles: ['monthly', 'annual', 'upfront'], cancellationWindow: 'PT72H' },
    ]);
  });

  it('shows the partner the term and what it charged, and the publisher Microsoft’s TermUnit', async () => {
    expect((await contoso.get(path('threeYears'))).body).toMatchObject({
      offerId: 'fabrikam-analytics',
      termDuration: 'P3Y',
      billingCycle: 'annual',
      billingStartDate: '2027-01-05',
      commitmentEndDate: '2030-01-04',
      cancellationAllowedUntilDate: '2027-01-08T09:00:00.000Z',
      nextChargeDate: '2028-01-05',
      currentTermCharged: '540.00',
    });
    expect((await contoso.get(path('twoYearsUpfront'))).body).toMatchObject({
      termDuration: 'P2Y',
      billingCycle: 'upfront',
      commitmentEndDate: '2029-01-04',
      nextChargeDate: '2029-01-05',
      currentTermCharged: '1140.00',
    });

    const threeYears = await fabrikam.get(saas('threeYears'));
    expect(threeYears.body.term).toEqual({ termUnit: 'P3Y', startDate: '2027-01-05T00:00:00Z', endDate: '2030-01-04T00:00:00Z', chargeDuration: 'P1Y' });
    const twoYears = await fabrikam.get(saas('twoYearsUpfront'));
    expect(twoYears.body.term).toEqual({ termUnit: 'P2Y', startDate: '2027-01-05T00:00:00Z', endDate: '2029-01-04T00:00:00Z', chargeDuration: 'P2Y' });
    if (saasSchemas.schemas) {
      for (const body of [threeYears.body, twoYears.body]) expect(saasSchemas.schemas.problems('Subscription', body)).toEqual([]);
    }
  });

  it('refuses the partner’s cancel and the publisher’s DELETE of a three-year term billed annually once its 72 hours are over, appending nothing', async () => {
    await advance('2027-01-08T09:00:01Z');
    const before = await system.eventCount();
    const cancel = await contoso.patch(path('threeYears'), { body: { status: 'deleted' } });
    expectProblem(cancel, 409);
    expect(cancel.body).toMatchObject({ type: '/problems/cancellation-window-closed', cancellationAllowedUntilDate: '2027-01-08T09:00:00.000Z' });
    const deleted = await fabrikam.request('DELETE', saas('threeYears'));
    expectProblem(deleted, 409);
    expect(deleted.body.type).toBe('/problems/cancellation-window-closed');
    expect(await system.eventCount()).toBe(before);
    expect((await contoso.get(path('threeYears'))).body.status).toBe('active');
  });

  it('charges the second year of the three on the first anniversary, and the upfront term nothing more', async () => {
    // Past January 2028 and its close delay: that month's invoice is issued at 2028-02-01 01:00.
    await advance('2028-02-01T02:00:00Z');
    const issued = await contoso.get(`/v1/invoices?testClockId=${testClockId}`);
    expect(issued.body.items.map((invoice: { id: string; totalCharges: string }) => [invoice.id, invoice.totalCharges])).toEqual([
      [invoiceId('2028-01'), '540.00'],
      [invoiceId('2027-01'), '1680.00'],
    ]);
    const first = await linesOf('2027-01');
    expect(summary(first)).toEqual([
      ['threeYears', 'new', '540.00'],
      ['twoYearsUpfront', 'new', '1140.00'],
    ]);
    expect(first.find((line) => line.subscriptionId === subscriptions.threeYears)).toMatchObject({
      productId: 'fabrikam-analytics',
      skuId: 'team',
      termAndBillingCycle: '3 Year Subscription, Annual billing',
      chargeStartDate: '2027-01-05',
      chargeEndDate: '2028-01-04',
      unitPrice: '540.00',
      effectiveUnitPrice: '180.00',
      quantity: 3,
    });
    expect(first.find((line) => line.subscriptionId === subscriptions.twoYearsUpfront)).toMatchObject({
      termAndBillingCycle: '2 Year Subscription, Upfront billing',
      chargeStartDate: '2027-01-05',
      chargeEndDate: '2029-01-04',
      effectiveUnitPrice: '380.00',
    });
    const second = await linesOf('2028-01');
    expect(summary(second)).toEqual([['threeYears', 'cycleCharge', '540.00']]);
    expect(second[0]).toMatchObject({ chargeStartDate: '2028-01-05', chargeEndDate: '2029-01-04', effectiveUnitPrice: '180.00', quantity: 3 });
    expect((await contoso.get(path('threeYears'))).body).toMatchObject({ nextChargeDate: '2029-01-05', currentTermCharged: '1080.00' });
  }, 120_000);

  it('charges the third year on the second anniversary, and renews the two-year term for two more years, once', async () => {
    await advance('2029-02-01T02:00:00Z');
    expect(summary(await linesOf('2029-01'))).toEqual([
      ['threeYears', 'cycleCharge', '540.00'],
      ['twoYearsUpfront', 'renew', '1140.00'],
    ]);
    const issued = await contoso.get(`/v1/invoices?testClockId=${testClockId}`);
    expect(issued.body.items.map((invoice: { id: string }) => invoice.id)).toEqual([invoiceId('2029-01'), invoiceId('2028-01'), invoiceId('2027-01')]);
    expect((await contoso.get(path('threeYears'))).body).toMatchObject({ nextChargeDate: '2030-01-05', currentTermCharged: '1620.00' });
    expect((await contoso.get(path('twoYearsUpfront'))).body).toMatchObject({ commitmentEndDate: '2031-01-04', nextChargeDate: '2031-01-05', currentTermCharged: '1140.00' });
    expect((await fabrikam.get(saas('twoYearsUpfront'))).body.term).toMatchObject({ termUnit: 'P2Y', startDate: '2029-01-05T00:00:00Z', endDate: '2031-01-04T00:00:00Z' });

    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${subscriptions.threeYears}`);
    expect(timers.body.items.filter((t: { kind: string }) => t.kind === 'billing-cycle').map((t: { cycleStart: string; state: string }) => [t.cycleStart, t.state])).toEqual([
      ['2028-01-05', 'fired'],
      ['2029-01-05', 'fired'],
    ]);
    for (const month of ['2027-01', '2028-01', '2029-01']) {
      expect({ month, verified: (await auditor.get(`/v1/audit/invoices/${invoiceId(month)}/verify`)).body }).toEqual({ month, verified: expect.objectContaining({ valid: true, differences: [] }) });
    }
  }, 120_000);

  it.each<[string, LineItem, string, Record<string, unknown>]>([
    ['termDuration "P5Y"', { termDuration: 'P5Y' as never }, '/problems/invalid-request', { errors: [{ pointer: '/lineItems/0/termDuration', detail: 'termDuration must be one of the following values: P1M, P1Y, P2Y, P3Y' }] }],
    ['billingCycle "weekly"', { termDuration: 'P3Y', billingCycle: 'weekly' as never }, '/problems/invalid-request', { errors: [{ pointer: '/lineItems/0/billingCycle', detail: 'billingCycle must be one of the following values: monthly, annual, upfront' }] }],
    ['a P2Y term billed monthly, which Fabrikam Analytics does not sell', { termDuration: 'P2Y', billingCycle: 'monthly' }, '/problems/unavailable-billing-cycle', { pointer: '/lineItems/0/billingCycle', billingCycles: ['annual', 'upfront'] }],
  ])('refuses %s with 400, appending nothing', async (_case, item, type, members) => {
    const before = await system.eventCount();
    const response = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [analytics(item)] } });
    expectProblem(response, 400);
    expect(response.body).toMatchObject({ type, ...members });
    expect(await system.eventCount()).toBe(before);
  });
});
