import type { ApiClient } from './support/api-client';
import { expectProblem } from './support/fixtures';
import { API_VERSION, Bought, LINES, LifeCycleSandbox, SAAS } from './support/life-cycle';
import type { TestSystem } from './support/system';

const starter = (quantity: number, termDuration = 'P1M', billingCycle = 'monthly') => ({ offerId: 'fabrikam-analytics', planId: 'starter', quantity, termDuration, billingCycle });

describe('Free trials (SPEC §13), on test clocks', () => {
  let sandbox: LifeCycleSandbox;
  let system: TestSystem;
  let contoso: ApiClient;
  let fabrikam: ApiClient;

  const customer = (testClockId: string) => sandbox.customer('Trialists Ltd', testClockId);

  /** Ordered, activated by the publisher and licensed: its (free) billing runs. */
  async function trial(customerId: string, line: ReturnType<typeof starter>): Promise<Bought> {
    const sub = await sandbox.billed(customerId, line);
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'active', isTrial: true });
    await system.caughtUp();
    return sub;
  }

  beforeAll(async () => {
    sandbox = await LifeCycleSandbox.start('trials');
    ({ system, contoso, fabrikam } = sandbox);
  }, 60_000);

  afterAll(() => sandbox?.close());

  it('lists the trial plan in the catalog', async () => {
    const offers = await contoso.get('/v1/offers');
    const analytics = offers.body.items.find((o: { id: string }) => o.id === 'fabrikam-analytics');
    expect(analytics.plans.find((p: { id: string }) => p.id === 'starter')).toMatchObject({ hasFreeTrials: true, freeTrial: { duration: 'P1M' } });
    expect(analytics.plans.find((p: { id: string }) => p.id === 'team')).toMatchObject({ hasFreeTrials: false, freeTrial: null });
  });

  it('bills a trial at 0.00, converts it at its end to the paid term with a Renew notification and a paid renew line, and allows one trial per customer and offer', async () => {
    const testClockId = await sandbox.createClock('Trial converts', '2027-01-05T10:00:00Z');
    const customerId = await customer(testClockId);
    const sub = await trial(customerId, starter(3));

    const view = (await contoso.get(sub.path)).body;
    expect(view).toMatchObject({
      isTrial: true,
      termDuration: 'P1M',
      billingStartDate: '2027-01-05',
      commitmentEndDate: '2027-02-04',
      cancellationAllowedUntilDate: '2027-02-04T23:59:59.999Z',
      currentTermCharged: '0.00',
      nextChargeDate: '2027-02-05',
    });
    const saas = (await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`)).body;
    expect(saas).toMatchObject({ isFreeTrial: true, term: { termUnit: 'P1M', startDate: '2027-01-05T00:00:00Z', endDate: '2027-02-04T00:00:00Z' } });
    const [started] = await sandbox.ofType(sub.subscriptionId, 'BillingStarted');
    expect(started.data).toMatchObject({ unitPrice: '0.00', chargedAmount: '0.00', termEnd: '2027-02-04' });
    const lines = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current&testClockId=${testClockId}`);
    expect(lines.body.items.map((l: any) => [l.chargeType, l.subscriptionId, l.totalForCustomer])).toEqual([['new', sub.subscriptionId, '0.00']]);

    // A second trial of the offer for the same customer is refused, and nothing is ordered.
    const before = await system.eventCount();
    const second = await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [starter(1)] } });
    expectProblem(second, 409);
    expect(second.body).toMatchObject({ type: '/problems/free-trial-used' });
    const twice = await contoso.post(`/v1/customers/${await customer(testClockId)}/orders`, { body: { lineItems: [starter(1), starter(2)] } });
    expectProblem(twice, 409);
    expect(twice.body.errors ?? [{ pointer: twice.body.pointer }]).toEqual([expect.objectContaining({ pointer: '/lineItems/1/planId' })]);
    expect(await system.eventCount()).toBe(before + 1);
    // The paid plans of the offer stay open to the customer.
    expect((await contoso.post(`/v1/customers/${customerId}/orders`, { body: { lineItems: [{ ...starter(2), planId: 'team' }] } })).status).toBe(201);

    // A plan change waits for the trial to convert.
    const planChange = await fabrikam.patch(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`, { body: { planId: 'team' } });
    expect(planChange.status).toBe(409);
    expect(planChange.body.type).toMatch(/subscription-in-free-trial$/);

    await sandbox.advance(testClockId, '2027-02-05T06:00:00Z');
    const types = (await sandbox.eventsOf(sub.subscriptionId)).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['TrialConverted', 'SubscriptionRenewed']);
    const [converted] = await sandbox.ofType(sub.subscriptionId, 'TrialConverted');
    expect(converted.data).toEqual({ unitPrice: '10.00', convertedAt: '2027-02-05T00:00:00.000Z', cancellationAllowedUntil: '2027-02-08T00:00:00.000Z' });
    const [renewed] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    expect(renewed.data).toMatchObject({ termStart: '2027-02-05', termEnd: '2027-03-04', quantity: 3, chargedAmount: '30.00' });
    const [renew] = await sandbox.notices(sub.subscriptionId, 'Renew');
    expect(renew.body).toMatchObject({ status: 'Succeeded', subscription: { isFreeTrial: false, term: expect.objectContaining({ termUnit: 'P1M' }) } });
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({
      isTrial: false,
      currentTermCharged: '30.00',
      commitmentEndDate: '2027-03-04',
      cancellationAllowedUntilDate: '2027-02-08T00:00:00.000Z',
    });
    const february = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current&testClockId=${testClockId}`);
    expect(february.body.items.filter((l: any) => l.subscriptionId === sub.subscriptionId).map((l: any) => [l.chargeType, l.unitPrice, l.quantity, l.totalForCustomer])).toEqual([
      ['renew', '10.00', 3, '30.00'],
    ]);
  }, 90_000);

  it('converts a trial bought on a year billed annually into that year, at its price', async () => {
    const testClockId = await sandbox.createClock('Trial to a year', '2027-04-10T08:00:00Z');
    const sub = await trial(await customer(testClockId), starter(2, 'P1Y', 'annual'));
    expect((await contoso.get(sub.path)).body).toMatchObject({ isTrial: true, termDuration: 'P1Y', commitmentEndDate: '2027-05-09' });
    await sandbox.advance(testClockId, '2027-05-11T00:00:00Z');
    const [renewed] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    expect(renewed.data).toMatchObject({ termStart: '2027-05-10', termEnd: '2028-05-09', chargedAmount: '200.00' });
    expect((await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`)).body).toMatchObject({ isFreeTrial: false, term: { termUnit: 'P1Y' } });
  }, 60_000);

  it('ends a trial with auto-renew off at its end, with nothing charged', async () => {
    const testClockId = await sandbox.createClock('Trial expires', '2027-06-01T12:00:00Z');
    const sub = await trial(await customer(testClockId), starter(1));
    expect((await contoso.patch(sub.path, { body: { autoRenewEnabled: false } })).status).toBe(200);
    await sandbox.advance(testClockId, '2027-07-02T00:00:00Z');
    expect((await sandbox.eventsOf(sub.subscriptionId)).map((e) => e.type).slice(-1)).toEqual(['SubscriptionExpired']);
    expect(await sandbox.ofType(sub.subscriptionId, 'TrialConverted')).toEqual([]);
    await sandbox.notices(sub.subscriptionId, 'Unsubscribe');
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({ status: 'deleted', currentTermCharged: '0.00' });
  }, 60_000);

  it('cancels a trial at any time, long after the paid term’s window, refunding nothing', async () => {
    const testClockId = await sandbox.createClock('Trial cancelled', '2027-08-01T12:00:00Z');
    const sub = await trial(await customer(testClockId), starter(4));
    await sandbox.advance(testClockId, '2027-08-20T12:00:00Z');
    const cancelled = await contoso.patch(sub.path, { body: { status: 'deleted' } });
    expect(cancelled.status).toBe(200);
    const [event] = await sandbox.ofType(sub.subscriptionId, 'Cancelled');
    expect(event.data).toMatchObject({ requestedBy: 'Partner', refund: null, cancelledAt: '2027-08-20T12:00:00.000Z' });
    // Cancelled, the trial stays taken: a customer gets one.
    const again = await contoso.post(`/v1/customers/${sub.customerId}/orders`, { body: { lineItems: [starter(1)] } });
    expect(again.status).toBe(409);
  }, 60_000);
});
