import type { ApiClient } from './support/api-client';
import { expectProblem, lineItem, LineItem } from './support/fixtures';
import { API_VERSION, Bought, LINES, LifeCycleSandbox, SAAS } from './support/life-cycle';
import type { TestSystem } from './support/system';
import type { WebhookReceiver } from './support/webhook-receiver';

/**
 * SPEC §13 "Changes at renewal": scheduledNextTermInstructions on the partner PATCH, applied at the
 * renewal on a test clock. Fabrikam CRM: standard 12.00 a month or 120.00 a year per seat (1 to 500
 * seats), enterprise 30.00 or 300.00 (10 to 10000 seats); P1M is billed monthly, P1Y monthly or annually.
 */
describe('Changes at renewal (SPEC §13), on test clocks', () => {
  let sandbox: LifeCycleSandbox;
  let system: TestSystem;
  let receiver: WebhookReceiver;
  let admin: ApiClient;
  let contoso: ApiClient;
  let northwind: ApiClient;
  let fabrikam: ApiClient;

  /** Bought (fabrikam-crm standard unless the item says otherwise) for a new customer, on the clock, and billed. */
  const billed = async (testClockId: string | null, item: LineItem): Promise<Bought> =>
    sandbox.billed(await sandbox.customer('Renewers Ltd', testClockId), lineItem(item));

  beforeAll(async () => {
    sandbox = await LifeCycleSandbox.start('next-term');
    ({ system, receiver, admin, contoso, northwind, fabrikam } = sandbox);
  }, 60_000);

  afterAll(() => sandbox?.close());

  it('schedules enterprise with 12 seats on a monthly standard, shows it, and renews into it at the term end', async () => {
    const testClockId = await sandbox.createClock('Upgrade at renewal', '2027-03-10T12:00:00Z');
    // 5 seats × 12.00; the first term is 2027-03-10 to 2027-04-09.
    const sub = await billed(testClockId, { quantity: 5 });

    const scheduled = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { planId: 'enterprise', quantity: 12 } } });
    expect(scheduled.status).toBe(200);
    const instructions = { planId: 'enterprise', quantity: 12, termDuration: 'P1M', billingCycle: 'monthly' };
    expect(scheduled.body).toMatchObject({ planId: 'standard', quantity: 5, scheduledNextTermInstructions: instructions });
    const [event] = await sandbox.ofType(sub.subscriptionId, 'NextTermScheduled');
    expect(event.data).toEqual({ ...instructions, unitPrice: '30.00', scheduledAt: '2027-03-10T12:00:00.000Z' });
    expect(event.metadata).toMatchObject({ testClockId, occurredAt: '2027-03-10T12:00:00.000Z' });

    // The same instructions again change nothing; the list (a read model) shows them too.
    const count = (await sandbox.typesOf(sub.subscriptionId)).length;
    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 12, planId: 'enterprise', termDuration: 'P1M' } } })).status).toBe(200);
    expect(await sandbox.typesOf(sub.subscriptionId)).toHaveLength(count);
    expect((await contoso.get(sub.path)).body.scheduledNextTermInstructions).toEqual(instructions);
    await system.caughtUp();
    const listed = await contoso.get(sub.path.slice(0, sub.path.lastIndexOf('/')));
    expect(listed.body.items.find((item: { id: string }) => item.id === sub.subscriptionId).scheduledNextTermInstructions).toEqual(instructions);

    await sandbox.advance(testClockId, '2027-04-10T12:00:00Z');
    const types = await sandbox.typesOf(sub.subscriptionId);
    expect(types.slice(-3)).toEqual(['SubscriptionRenewed', 'NextTermChangeApplied', 'NextTermChangeApplied']);
    const [renewed] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    expect(renewed.data).toMatchObject({
      termStart: '2027-04-10',
      termEnd: '2027-05-09',
      quantity: 12,
      chargedAmount: '360.00',
      planId: 'enterprise',
      termDuration: 'P1M',
      billingCycle: 'monthly',
      unitPrice: '30.00',
    });
    expect(renewed.metadata).toMatchObject({ actor: 'test-clock', occurredAt: '2027-04-10T00:00:00.000Z' });

    const [plan] = await sandbox.notices(sub.subscriptionId, 'ChangePlan');
    const [seats] = await sandbox.notices(sub.subscriptionId, 'ChangeQuantity');
    const [renew] = await sandbox.notices(sub.subscriptionId, 'Renew');
    for (const notice of [plan, seats]) {
      expect(notice).toMatchObject({ verified: true, answer: 200 });
      expect(notice.body).toMatchObject({
        status: 'Succeeded',
        operationRequestSource: 'Azure',
        planId: 'enterprise',
        quantity: 12,
        timeStamp: '2027-04-10T00:00:00.000Z',
        subscription: { id: sub.subscriptionId, planId: 'enterprise', quantity: 12, saasSubscriptionStatus: 'Subscribed', isTest: true },
      });
    }
    expect(renew.body).toMatchObject({ action: 'Renew', status: 'Succeeded', planId: 'enterprise', quantity: 12 });
    // The publisher can read the operations the renewal recorded, and sees the new plan.
    const operation = await fabrikam.get(`${SAAS}/${sub.subscriptionId}/operations/${plan.body.id}?${API_VERSION}`);
    expect(operation.body).toMatchObject({ action: 'ChangePlan', status: 'Succeeded', planId: 'enterprise' });
    const saas = await fabrikam.get(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`);
    expect(saas.body).toMatchObject({ planId: 'enterprise', quantity: 12, term: { termUnit: 'P1M', startDate: '2027-04-10T00:00:00Z', endDate: '2027-05-09T00:00:00Z' } });

    await system.caughtUp();
    expect((await contoso.get(sub.path)).body).toMatchObject({
      planId: 'enterprise',
      quantity: 12,
      termDuration: 'P1M',
      billingCycle: 'monthly',
      commitmentEndDate: '2027-05-09',
      currentTermCharged: '360.00',
      scheduledNextTermInstructions: null,
    });
    const unbilled = await contoso.get(`/v1/invoices/unbilled/lineitems?${LINES}&currencycode=USD&period=current&testClockId=${testClockId}`);
    const lines = unbilled.body.items.filter((item: { subscriptionId: string }) => item.subscriptionId === sub.subscriptionId);
    expect(lines.map(({ chargeType, skuId, quantity, unitPrice, effectiveUnitPrice, totalForCustomer, chargeStartDate, chargeEndDate }: any) => ({
      chargeType,
      skuId,
      quantity,
      unitPrice,
      effectiveUnitPrice,
      totalForCustomer,
      chargeStartDate,
      chargeEndDate,
    }))).toEqual([
      { chargeType: 'renew', skuId: 'enterprise', quantity: 12, unitPrice: '30.00', effectiveUnitPrice: '30.00', totalForCustomer: '360.00', chargeStartDate: '2027-04-10', chargeEndDate: '2027-05-09' },
    ]);

    // The term after renews as it now is.
    await sandbox.advance(testClockId, '2027-05-10T12:00:00Z');
    const renewals = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    expect(renewals).toHaveLength(2);
    expect(renewals[1].data).toMatchObject({ termStart: '2027-05-10', quantity: 12, chargedAmount: '360.00' });
    expect(renewals[1].data.planId).toBeUndefined();
    expect((await sandbox.typesOf(sub.subscriptionId)).at(-1)).toBe('SubscriptionRenewed');
  }, 90_000);

  it('renews a month as a year billed monthly: a twelfth of the year charged, and its next cycle timed', async () => {
    const testClockId = await sandbox.createClock('A month becomes a year', '2027-06-01T09:00:00Z');
    const sub = await billed(testClockId, { quantity: 5 });
    const scheduled = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { termDuration: 'P1Y', billingCycle: 'monthly' } } });
    expect(scheduled.body.scheduledNextTermInstructions).toEqual({ planId: 'standard', quantity: 5, termDuration: 'P1Y', billingCycle: 'monthly' });

    await sandbox.advance(testClockId, '2027-07-01T09:00:00Z');
    const [renewed] = await sandbox.ofType(sub.subscriptionId, 'SubscriptionRenewed');
    // 5 seats × 120.00 / 12 = 50.00 for the first month of the year.
    expect(renewed.data).toMatchObject({ termStart: '2027-07-01', termEnd: '2028-06-30', quantity: 5, chargedAmount: '50.00', billingCycle: 'monthly', unitPrice: '120.00' });
    // Nothing changed the plan or the seats: no operation besides the Renew.
    expect((await sandbox.typesOf(sub.subscriptionId)).at(-1)).toBe('SubscriptionRenewed');
    await system.caughtUp();
    const timers = await admin.get(`/v1/admin/timers?subscriptionId=${sub.subscriptionId}`);
    expect(timers.body.items.filter((t: { state: string }) => t.state === 'pending').map(({ kind, dueAt }: { kind: string; dueAt: string }) => ({ kind, dueAt }))).toEqual(
      expect.arrayContaining([
        { kind: 'renewal', dueAt: '2028-07-01T00:00:00.000Z' },
        { kind: 'billing-cycle', dueAt: '2027-08-01T00:00:00.000Z' },
      ]),
    );
    expect((await contoso.get(sub.path)).body).toMatchObject({ termDuration: 'P1Y', billingCycle: 'monthly', currentTermCharged: '50.00', nextChargeDate: '2027-08-01' });

    await sandbox.advance(testClockId, '2027-08-01T09:00:00Z');
    const [cycle] = await sandbox.ofType(sub.subscriptionId, 'BillingCycleStarted');
    expect(cycle.data).toEqual({ cycleStart: '2027-08-01', cycleEnd: '2027-08-31', quantity: 5 });
    await system.caughtUp();
    expect((await contoso.get(sub.path)).body.currentTermCharged).toBe('100.00');
  }, 90_000);

  it('is cleared by a seat change mid-term, refused while a change waits, and cleared by the publisher’s seat change', async () => {
    const sub = await billed(null, { quantity: 5 });
    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 8 } } })).body.scheduledNextTermInstructions).toMatchObject({ quantity: 8 });

    const seats = await contoso.patch(sub.path, { body: { quantity: 7 } });
    expect(seats.status).toBe(202);
    expect(seats.body.scheduledNextTermInstructions).toBeNull();
    expect((await sandbox.typesOf(sub.subscriptionId)).slice(-2)).toEqual(['SeatChangeRequested', 'NextTermScheduleCleared']);
    expect((await sandbox.ofType(sub.subscriptionId, 'NextTermScheduleCleared'))[0].data).toEqual({ reason: 'SeatChange' });

    const waiting = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 8 } } });
    expectProblem(waiting, 409);
    expect(waiting.body.type).toMatch(/operation-pending$/);
    const [request] = await sandbox.notices(sub.subscriptionId, 'ChangeQuantity');
    const answer = await fabrikam.patch(`${SAAS}/${sub.subscriptionId}/operations/${request.body.id}?${API_VERSION}`, { body: { status: 'Success' } });
    expect(answer.status).toBe(200);

    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { planId: 'enterprise', quantity: 10 } } })).status).toBe(200);
    expect((await fabrikam.patch(`${SAAS}/${sub.subscriptionId}?${API_VERSION}`, { body: { quantity: 9 } })).status).toBe(202);
    expect((await sandbox.ofType(sub.subscriptionId, 'NextTermScheduleCleared')).map((e) => e.data.reason)).toEqual(['SeatChange', 'SeatChange']);
    expect((await contoso.get(sub.path)).body.scheduledNextTermInstructions).toBeNull();
  }, 60_000);

  it('needs auto-renew: turning it off clears them, and the term then ends instead of renewing', async () => {
    const testClockId = await sandbox.createClock('Auto-renew off', '2027-09-01T09:00:00Z');
    const sub = await billed(testClockId, { quantity: 5 });
    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } })).status).toBe(200);

    // Turning auto-renew off and scheduling in one PATCH is refused whole.
    const before = await sandbox.typesOf(sub.subscriptionId);
    const both = await contoso.patch(sub.path, { body: { autoRenewEnabled: false, scheduledNextTermInstructions: { quantity: 7 } } });
    expectProblem(both, 409);
    expect(both.body.type).toMatch(/next-term-needs-auto-renew$/);
    expect(await sandbox.typesOf(sub.subscriptionId)).toEqual(before);

    const off = await contoso.patch(sub.path, { body: { autoRenewEnabled: false } });
    expect(off.body).toMatchObject({ autoRenewEnabled: false, scheduledNextTermInstructions: null });
    expect((await sandbox.typesOf(sub.subscriptionId)).slice(-2)).toEqual(['AutoRenewDisabled', 'NextTermScheduleCleared']);
    expect((await sandbox.ofType(sub.subscriptionId, 'NextTermScheduleCleared'))[0].data).toEqual({ reason: 'AutoRenewDisabled' });
    const refused = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } });
    expectProblem(refused, 409);
    expect(refused.body.type).toMatch(/next-term-needs-auto-renew$/);

    // Turned on again in the same PATCH, scheduling works; null clears.
    const again = await contoso.patch(sub.path, { body: { autoRenewEnabled: true, scheduledNextTermInstructions: { quantity: 6 } } });
    expect(again.body).toMatchObject({ autoRenewEnabled: true, scheduledNextTermInstructions: { quantity: 6 } });
    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: null } })).body.scheduledNextTermInstructions).toBeNull();
    expect((await sandbox.ofType(sub.subscriptionId, 'NextTermScheduleCleared')).map((e) => e.data.reason)).toEqual(['AutoRenewDisabled', 'Requested']);

    expect((await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } })).status).toBe(200);
    expect((await contoso.patch(sub.path, { body: { autoRenewEnabled: false } })).status).toBe(200);
    await sandbox.advance(testClockId, '2027-10-01T09:00:00Z');
    expect((await sandbox.typesOf(sub.subscriptionId)).at(-1)).toBe('SubscriptionExpired');
    await sandbox.notices(sub.subscriptionId, 'Unsubscribe');
    expect(receiver.requests(sub.subscriptionId).filter((r) => r.body?.action === 'ChangeQuantity')).toEqual([]);
  }, 90_000);

  it('refuses bad instructions with a 400 naming the member, other states with a 409, and other partners with a 404, appending nothing', async () => {
    const sub = await billed(null, { quantity: 5 });
    const before = await sandbox.typesOf(sub.subscriptionId);
    const cases: [unknown, string, string][] = [
      [{}, 'empty-next-term-instructions', '/scheduledNextTermInstructions'],
      [{ planId: 'premium' }, 'plan-not-available', '/scheduledNextTermInstructions/planId'],
      [{ planId: 42 }, 'invalid-request', '/scheduledNextTermInstructions/planId'],
      [{ planId: null }, 'invalid-request', '/scheduledNextTermInstructions/planId'],
      [{ quantity: 0 }, 'invalid-request', '/scheduledNextTermInstructions/quantity'],
      [{ quantity: 'ten' }, 'invalid-request', '/scheduledNextTermInstructions/quantity'],
      [{ quantity: 1.5 }, 'invalid-request', '/scheduledNextTermInstructions/quantity'],
      [{ quantity: 501 }, 'quantity-out-of-range', '/scheduledNextTermInstructions/quantity'],
      // Enterprise starts at 10 seats; these are 5.
      [{ planId: 'enterprise' }, 'quantity-out-of-range', '/scheduledNextTermInstructions/quantity'],
      [{ termDuration: 'P5Y' }, 'invalid-request', '/scheduledNextTermInstructions/termDuration'],
      [{ termDuration: 'P2Y' }, 'unavailable-term', '/scheduledNextTermInstructions/termDuration'],
      [{ billingCycle: 'annual' }, 'invalid-billing-cycle', '/scheduledNextTermInstructions/billingCycle'],
      [{ termDuration: 'P1Y', billingCycle: 'upfront' }, 'unavailable-billing-cycle', '/scheduledNextTermInstructions/billingCycle'],
      [{ billingCycle: 'weekly' }, 'invalid-request', '/scheduledNextTermInstructions/billingCycle'],
      [{ quantity: 6, unitPrice: '1.00' }, 'invalid-request', '/scheduledNextTermInstructions/unitPrice'],
      ['enterprise', 'invalid-request', '/scheduledNextTermInstructions'],
      [[{ quantity: 6 }], 'invalid-request', '/scheduledNextTermInstructions'],
    ];
    for (const [scheduledNextTermInstructions, code, pointer] of cases) {
      const refused = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions } });
      expectProblem(refused, 400);
      expect({ sent: scheduledNextTermInstructions, type: refused.body.type, pointers: refused.body.errors?.map((e: { pointer: string }) => e.pointer) }).toEqual({
        sent: scheduledNextTermInstructions,
        type: expect.stringMatching(new RegExp(`${code}$`)),
        pointers: expect.arrayContaining([pointer]),
      });
    }
    for (const body of [
      { scheduledNextTermInstructions: { quantity: 6 }, quantity: 6 },
      { scheduledNextTermInstructions: { quantity: 6 }, status: 'deleted' },
      { friendlyName: 'Renamed', scheduledNextTermInstructions: { planId: 'premium' } },
    ]) {
      expectProblem(await contoso.patch(sub.path, { body }), 400);
    }
    expectProblem(await northwind.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } }), 404);
    expect(await sandbox.typesOf(sub.subscriptionId)).toEqual(before);

    // Only on a pending or active subscription.
    expect((await admin.post(`/v1/admin/subscriptions/${sub.subscriptionId}/suspend`, { body: { suspensionReasons: ['nonpayment'] } })).status).toBe(200);
    const whileSuspended = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } });
    expectProblem(whileSuspended, 409);
    expect(whileSuspended.body.type).toMatch(/subscription-suspended$/);
    expect((await contoso.patch(sub.path, { body: { status: 'deleted' } })).status).toBe(200);
    const afterCancel = await contoso.patch(sub.path, { body: { scheduledNextTermInstructions: { quantity: 6 } } });
    expectProblem(afterCancel, 409);
    expect(afterCancel.body.type).toMatch(/subscription-deleted$/);
    expect((await sandbox.typesOf(sub.subscriptionId)).filter((type) => type.startsWith('NextTerm'))).toEqual([]);
  }, 60_000);
});
